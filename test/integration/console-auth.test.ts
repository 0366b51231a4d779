import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authenticator } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addHqStaff } from '../../src/central/hqStaff'
import { CLI_ACTOR } from '../../src/central/hqActor'
import { verifyHqAudit } from '../../src/central/hqAudit'
import { createEnrollmentCode } from '../../src/central/sync'
import { ConsoleClient, hqCode } from '../support/consoleClient'
import { startConsoleCentral, testClock, type ConsoleCentral } from '../support/consoleCentral'

let central: ConsoleCentral
beforeAll(async () => {
  central = await startConsoleCentral()
})
afterAll(() => central.close())

/** Signs in 30 s after the last sign-in: a code from one time step is accepted once. */
const signedIn = (staffId: string) => {
  central.clock.advance(30_000)
  return new ConsoleClient(central.url).signIn(staffId, central.clock.now)
}

describe('HQ sign-in', () => {
  it('needs the password and the authenticator code, and sets a strict HttpOnly session cookie', async () => {
    const client = new ConsoleClient(central.url)
    const answer = await client.post('/login', {
      staffId: 'HQ001',
      password: 'demo-HQ001',
      code: hqCode(central.clock.now),
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ stage: 'signed_in', me: { staffId: 'HQ001', role: 'hq_operator' } })
    expect(answer.setCookie).toMatch(
      /^td_hq_session=[A-Za-z0-9_-]{40,}; Path=\/console; HttpOnly; SameSite=Strict$/,
    )
    expect(answer.setCookie).not.toMatch(/Secure/)
    expect((await client.get('/session')).body).toMatchObject({ me: { staffId: 'HQ001' } })
  })

  it('accepts an authenticator code once: the same code again is refused', async () => {
    central.clock.advance(30_000)
    const code = hqCode(central.clock.now)
    const first = await new ConsoleClient(central.url).post('/login', {
      staffId: 'HQ101',
      password: 'demo-HQ101',
      code,
    })
    expect(first.status).toBe(200)
    const replay = await new ConsoleClient(central.url).post('/login', {
      staffId: 'HQ101',
      password: 'demo-HQ101',
      code,
    })
    expect([replay.status, replay.body.error?.code]).toEqual([401, 'INVALID_OTP'])
    central.clock.advance(30_000)
    expect((await signedIn('HQ101')).cookie).not.toBeNull()
  })

  it('refuses a wrong password and a wrong code alike, and locks after five failures', async () => {
    const client = new ConsoleClient(central.url)
    const code = hqCode(central.clock.now)
    expect((await client.post('/login', { staffId: 'HQ002', password: 'wrong-pass', code })).body).toEqual({
      error: { code: 'INVALID_CREDENTIALS', message: 'wrong password' },
    })
    const wrongCode = code === '000000' ? '111111' : '000000'
    const refused = await client.post('/login', { staffId: 'HQ002', password: 'demo-HQ002', code: wrongCode })
    expect([refused.status, refused.body.error?.code]).toEqual([401, 'INVALID_OTP'])
    for (let i = 0; i < 2; i++) await client.post('/login', { staffId: 'HQ002', password: 'nope-nope', code })
    const fifth = await client.post('/login', { staffId: 'HQ002', password: 'nope-nope', code })
    expect([fifth.status, fifth.body.error?.code]).toEqual([423, 'ACCOUNT_LOCKED'])
    const right = await client.post('/login', { staffId: 'HQ002', password: 'demo-HQ002', code })
    expect(right.body.error?.code).toBe('ACCOUNT_LOCKED')
    expect(client.cookie).toBeNull()
    expect(await central.db('hq_audit').where({ action: 'hq_staff.locked', actor: 'HQ002' })).toHaveLength(1)
    // An unknown ID is refused the same way, with no hint that it does not exist.
    expect(
      (await client.post('/login', { staffId: 'HQ777', password: 'whatever!!', code })).body.error?.code,
    ).toBe('INVALID_CREDENTIALS')
  })

  it('lets an HQ admin unlock, disable (ending the sessions) and reset the authenticator of HQ staff', async () => {
    const admin = await signedIn('HQ901')
    // HQ002 was locked by the test above.
    expect((await admin.post('/hq-staff/HQ002/unlock')).status).toBe(200)
    const person = await signedIn('HQ002')
    expect((await admin.post('/hq-staff/HQ901/disable')).body.error?.code).toBe('OWN_ACCOUNT')
    expect((await admin.post('/hq-staff/HQ002/disable')).status).toBe(200)
    expect((await person.get('/session')).status).toBe(401)
    const refused = await new ConsoleClient(central.url).post('/login', {
      staffId: 'HQ002',
      password: 'demo-HQ002',
      code: hqCode(central.clock.now),
    })
    expect(refused.body.error?.code).toBe('INVALID_CREDENTIALS')
    expect((await admin.post('/hq-staff/HQ002/enable')).status).toBe(200)
    expect((await admin.post('/hq-staff/HQ002/reset-authenticator')).status).toBe(200)
    const again = await new ConsoleClient(central.url).post('/login', {
      staffId: 'HQ002',
      password: 'demo-HQ002',
    })
    expect(again.body).toMatchObject({ stage: 'totp_enrolment' })
    expect((await admin.post('/hq-staff/HQ002/promote')).status).toBe(400)
    const actions = await central
      .db('hq_audit')
      .where({ entity_key: 'HQ002', actor: 'HQ901' })
      .orderBy('id')
      .pluck('action')
    expect(actions).toEqual([
      'hq_staff.unlock',
      'hq_staff.disable',
      'hq_staff.enable',
      'hq_staff.reset_authenticator',
    ])
  })

  it('makes a person without an authenticator enrol one before anything else', async () => {
    await addHqStaff(
      central.db,
      CLI_ACTOR,
      { staffId: 'HQ902', name: '新任 管理者', role: 'hq_admin', password: 'first-admin-pass' },
      central.clock.now,
    )
    const client = new ConsoleClient(central.url)
    const first = await client.post<{ stage: string; secret: string; qrDataUrl: string }>('/login', {
      staffId: 'HQ902',
      password: 'first-admin-pass',
    })
    expect(first.body).toMatchObject({
      stage: 'totp_enrolment',
      qrDataUrl: expect.stringMatching(/^data:image\/png/),
    })
    expect((await client.get('/overview')).body.error?.code).toBe('TOTP_ENROLMENT_REQUIRED')
    expect(
      (await client.post('/login/totp', { code: '123456' === hqCode() ? '654321' : '123456' })).status,
    ).toBe(401)
    const code = authenticator.clone({ epoch: central.clock.now.getTime() }).generate(first.body.secret)
    expect((await client.post('/login/totp', { code })).body).toMatchObject({ stage: 'signed_in' })
    expect((await client.get('/overview')).status).toBe(200)
    // From now on the code is required at sign-in.
    const again = await new ConsoleClient(central.url).post('/login', {
      staffId: 'HQ902',
      password: 'first-admin-pass',
    })
    expect(again.body.error?.code).toBe('INVALID_OTP')
  })

  it('ends a session after 15 idle minutes and after 8 hours whatever happens', async () => {
    const client = await signedIn('HQ101')
    central.clock.advance(14 * 60_000)
    expect((await client.get('/overview')).status).toBe(200)
    central.clock.advance(16 * 60_000)
    expect((await client.get('/overview')).body.error?.code).toBe('UNAUTHENTICATED')

    const busy = await signedIn('HQ101')
    for (let i = 0; i < 47; i++) {
      central.clock.advance(10 * 60_000)
      expect((await busy.get('/session')).status).toBe(200)
    }
    central.clock.advance(10 * 60_000)
    expect((await busy.get('/session')).status).toBe(401)
  })

  it('logs out: the cookie is cleared and the session is gone at central', async () => {
    const client = await signedIn('HQ001')
    const stolen = client.cookie
    const out = await client.post('/logout')
    expect(out.setCookie).toMatch(/Max-Age=0/)
    client.cookie = stolen
    expect((await client.get('/session')).status).toBe(401)
  })

  it('marks the cookie Secure when central serves TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-console-tls-'))
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    )
    const tls = await startConsoleCentral({
      clock: testClock(),
      https: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) },
    })
    try {
      const answer = await tls.app.inject({
        method: 'POST',
        url: '/console/api/login',
        payload: { staffId: 'HQ001', password: 'demo-HQ001', code: hqCode(tls.clock.now) },
      })
      expect(answer.statusCode).toBe(200)
      expect(answer.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Strict; Secure$/)
    } finally {
      await tls.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('CSRF', () => {
  it('refuses a change without the token, with a wrong one, or from another origin, and changes nothing', async () => {
    const admin = await signedIn('HQ901')
    const body = { code: '050', name: '試験支店' }
    const attempts: { csrf?: boolean; headers?: Record<string, string> }[] = [
      { csrf: false },
      { headers: { 'x-csrf-token': 'x'.repeat(43) } },
      { headers: { origin: 'http://evil.example' } },
    ]
    for (const options of attempts) {
      const refused = await admin.post('/branches', body, options)
      expect([refused.status, refused.body.error?.code]).toEqual([403, 'CSRF'])
    }
    expect(await central.db('branches').where({ code: '050' }).first()).toBeUndefined()
    expect((await admin.post('/branches', body)).status).toBe(200)
    expect(await central.db('branches').where({ code: '050' }).first()).toMatchObject({ name: '試験支店' })
  })
})

/**
 * The authorization matrix (issue 9): every console endpoint × {no session, each HQ role, a branch
 * workstation's credentials}. Who may call what is written here, not read from the code under test.
 */
const ALL = ['hq_operator', 'hq_supervisor', 'hq_admin']
const DESK = ['hq_operator', 'hq_supervisor']
const SUP = ['hq_supervisor']
const ADMIN = ['hq_admin']
const OVERSIGHT = ['hq_supervisor', 'hq_admin']
const MATRIX: Record<string, string[]> = {
  'GET /console/api/overview': ALL,
  'GET /console/api/revocations': ALL,
  'POST /console/api/revocations/:id/complete': DESK,
  'POST /console/api/revocations/:id/prepare': DESK,
  'POST /console/api/revocations/:id/approve': SUP,
  'POST /console/api/revocations/:id/reject': DESK,
  'GET /console/api/branches': ALL,
  'POST /console/api/branches': ADMIN,
  'POST /console/api/branches/:code/enrolment-codes': ADMIN,
  'POST /console/api/workstations/:clientId/revoke': ADMIN,
  'GET /console/api/staff': OVERSIGHT,
  'POST /console/api/staff': ADMIN,
  'POST /console/api/staff/:id/disable': ADMIN,
  'POST /console/api/staff/:id/role': ADMIN,
  'POST /console/api/staff/:id/move': ADMIN,
  'POST /console/api/staff/:id/reset-password': ADMIN,
  'GET /console/api/stock': ALL,
  'POST /console/api/stock/pskc/preview': DESK,
  'POST /console/api/stock/pskc/import': DESK,
  'POST /console/api/stock/allocate': DESK,
  'GET /console/api/devices': ALL,
  'GET /console/api/devices/:serial': ALL,
  'POST /console/api/customers/preview': DESK,
  'POST /console/api/customers/import': DESK,
  'POST /console/api/customers/import-jobs': DESK,
  'GET /console/api/customers/import-jobs/:id': DESK,
  'GET /console/api/hq-staff': ADMIN,
  'POST /console/api/hq-staff': ADMIN,
  'POST /console/api/hq-staff/:id/:change': ADMIN,
  'GET /console/api/audit': OVERSIGHT,
  'GET /console/api/audit/verify': OVERSIGHT,
  'GET /console/api/audit-alerts': OVERSIGHT,
  'GET /console/api/unmatched-debits': DESK,
  'POST /console/api/unmatched-debits/:receiptNo/resolve': DESK,
}
// Reached with a session of any stage or none: sign-in itself, the session, logout, authenticator enrolment.
const SESSION_ENDPOINTS = [
  'POST /console/api/login',
  'POST /console/api/login/totp',
  'GET /console/api/session',
  'POST /console/api/logout',
]

// Ids that exist nowhere, so an allowed call is refused for its input and changes nothing.
const concrete = (url: string) =>
  url
    .replace(':id', 'Z9999')
    .replace(':code', '999')
    .replace(':clientId', 'ws-999-none')
    .replace(':serial', 'NO-SUCH-SERIAL')
    .replace(':change', 'unlock')

describe('authorization matrix', () => {
  it('lists every console endpoint central serves', async () => {
    const { CONSOLE_ENDPOINTS } = await import('../../src/central/console/routes')
    const served = CONSOLE_ENDPOINTS.map((e) => `${e.method} ${e.url}`).sort()
    expect(served).toEqual([...Object.keys(MATRIX), ...SESSION_ENDPOINTS].sort())
  })

  it('answers each endpoint by role: 401 without a session or with workstation credentials, 403 for other roles', async () => {
    const code = await createEnrollmentCode(central.db, '001', central.clock.now)
    const enrolled = (await (
      await fetch(`${central.url}/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ branchCode: '001', enrollmentCode: code, workstationName: '窓口1' }),
      })
    ).json()) as { clientId: string; secret: string }
    const workstation = { authorization: `Bearer ${enrolled.clientId}.${enrolled.secret}` }

    const clients: Record<string, ConsoleClient> = {
      hq_operator: await signedIn('HQ001'),
      hq_supervisor: await signedIn('HQ101'),
      hq_admin: await signedIn('HQ901'),
    }
    const anonymous = new ConsoleClient(central.url)
    const results: string[] = []
    for (const endpoint of Object.keys(MATRIX)) {
      const [method, url] = endpoint.split(' ') as ['GET' | 'POST', string]
      const path = concrete(url).replace('/console/api', '')
      const none = await anonymous.call(method, path, {})
      results.push(`${endpoint} none ${none.status}`)
      const ws = await anonymous.call(method, path, {}, { headers: workstation })
      results.push(`${endpoint} workstation ${ws.status}`)
      for (const role of ALL) {
        const answer = await clients[role]!.call(method, path, {})
        const verdict = answer.status === 401 ? '401' : answer.status === 403 ? '403' : 'allowed'
        results.push(`${endpoint} ${role} ${verdict}`)
      }
    }
    const expected: string[] = []
    for (const [endpoint, roles] of Object.entries(MATRIX)) {
      expected.push(`${endpoint} none 401`, `${endpoint} workstation 401`)
      for (const role of ALL) expected.push(`${endpoint} ${role} ${roles.includes(role) ? 'allowed' : '403'}`)
    }
    expect(results).toEqual(expected)

    // The session endpoints: no session is 401 (sign-in itself answers for its input), any role may use them.
    expect((await anonymous.get('/session')).status).toBe(401)
    expect((await anonymous.post('/logout')).status).toBe(401)
    expect((await anonymous.post('/login/totp', { code: '123456' })).status).toBe(401)
    expect((await anonymous.post('/login', {})).status).toBe(400)
    expect((await anonymous.call('GET', '/session', undefined, { headers: workstation })).status).toBe(401)
    for (const role of ALL) {
      expect((await clients[role]!.get('/session')).status).toBe(200)
      // Enrolment is only for a session still enrolling its authenticator.
      expect((await clients[role]!.post('/login/totp', { code: '123456' })).status).toBe(403)
      expect((await clients[role]!.post('/logout')).status).toBe(200)
    }
    expect(await verifyHqAudit(central.db)).toMatchObject({ ok: true })
  })
})
