import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src/shared/syncProtocol'
import { startCentral, type TestCentral } from '../support/central'
import { readFileSync, writeFileSync } from 'node:fs'
import { CONSOLE_ENDPOINTS } from '../../src/central/console/routes'
import { HQ_ROLES, type HqRole } from '../../src/central/hqActor'
import { ConsoleClient } from '../support/consoleClient'

/**
 * Central's endpoints × {no credentials, wrong secret, malformed header, another branch's client}, and
 * the HQ console's endpoints × {no credentials, a wrong (forged) session, a branch PC's credentials, each
 * HQ role}, from the roles each console endpoint declares where it is registered (routes.ts), the one
 * access table; docs/security.md carries that table, generated (UPDATE_DOCS=1 rewrites it).
 */
let central: TestCentral
let own: { clientId: string; secret: string }
let other: { clientId: string; secret: string }

async function post(path: string, body: unknown, authorization?: string) {
  const res = await fetch(`${central.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function enroll(branchCode: string) {
  const code = await central.enrollmentCode(branchCode)
  const res = await post('/v1/enroll', {
    branchCode,
    enrollmentCode: code,
    workstationName: `pc-${branchCode}`,
  })
  expect(res.status).toBe(200)
  return res.body as { clientId: string; secret: string }
}

beforeAll(async () => {
  central = await startCentral('sqlite')
  await central.hq.addBranch('002', '駅前支店')
  own = await enroll('001')
  other = await enroll('002')
})
afterAll(() => central.close())

const bearer = (c: { clientId: string; secret: string }) => `Bearer ${c.clientId}.${c.secret}`
const pushBody = (clientId: string, mutations: unknown[] = []) => ({
  clientId,
  schemaVersion: SCHEMA_VERSION,
  mutations,
})
const pullBody = (clientId: string) => ({ clientId, cookie: null })

describe.each([
  ['/v1/sync/push', pushBody],
  ['/v1/sync/pull', pullBody],
] as const)('%s', (path, body) => {
  it('no credentials → 401', async () => {
    expect(await post(path, body(own.clientId))).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    })
  })
  it('a wrong secret → 401', async () => {
    expect(await post(path, body(own.clientId), `Bearer ${own.clientId}.${'A'.repeat(32)}`)).toMatchObject({
      status: 401,
    })
  })
  it('a malformed header → 401', async () => {
    expect(await post(path, body(own.clientId), 'Basic b3duOnNlY3JldA==')).toMatchObject({ status: 401 })
  })
  it('another branch’s client naming this client → 403', async () => {
    expect(await post(path, body(own.clientId), bearer(other))).toMatchObject({
      status: 403,
      body: { error: { code: 'WRONG_CLIENT' } },
    })
  })
  it('its own client → 200', async () => {
    expect((await post(path, body(own.clientId), bearer(own))).status).toBe(200)
  })
})

describe('another branch’s records', () => {
  it('a mutation about branch 001’s customer, pushed by branch 002, is rejected and changes nothing', async () => {
    const customer = await central.db('customers').where({ branch_code: '001', otp_status: 'in_use' }).first()
    const res = await post(
      '/v1/sync/push',
      pushBody(other.clientId, [
        {
          id: 1,
          name: 'token.suspend',
          args: {
            cif: customer.cif,
            requestId: '0b9a4c8e-1f7a-4c57-9b0e-3a1f2d9e8c11',
            tokenUid: null,
            reason: 'lost',
          },
          createdAt: new Date().toISOString(),
          actor: 'T001',
        },
      ]),
      bearer(other),
    )
    expect(res).toMatchObject({
      status: 200,
      body: { results: [{ status: 'rejected', code: 'FORBIDDEN_BRANCH' }] },
    })
    expect(await central.db('customers').where({ cif: customer.cif }).first()).toMatchObject({
      otp_status: 'in_use',
    })
  })

  it('a pull by branch 002 carries none of branch 001’s customers, stock or staff', async () => {
    const res = await post('/v1/sync/pull', pullBody(other.clientId), bearer(other))
    expect(res.status).toBe(200)
    const patch = (res.body as { patch: { op: string; entity?: string; key?: string }[] }).patch
    const theirs = new Set<string>([
      ...(await central.db('customers').where({ branch_code: '001' }).pluck('cif')),
      ...(await central.db('inventory').where({ branch_code: '001' }).pluck('serial')),
      ...(await central.db('staff').where({ branch_code: '001' }).pluck('staff_id')),
    ])
    expect(patch.length).toBeGreaterThan(0)
    const leaked = patch.filter((o) => o.op === 'put' && o.key !== undefined && theirs.has(o.key))
    expect(leaked).toEqual([])
  })

  it('an enrolment code for branch 001 does not enrol a branch 002 PC', async () => {
    const code = await central.enrollmentCode('001')
    expect(
      await post('/v1/enroll', { branchCode: '002', enrollmentCode: code, workstationName: 'x' }),
    ).toMatchObject({
      status: 401,
    })
  })
})

// --- The HQ console -------------------------------------------------------------------------------

type ConsoleCaller = 'none' | 'wrong' | 'branch PC' | HqRole
const CONSOLE_CALLERS: readonly ConsoleCaller[] = ['none', 'wrong', 'branch PC', ...HQ_ROLES]
type Verdict = 'allowed' | '401' | '403'

/**
 * What central must answer, from the endpoint's declared roles, for a signed-in session of each HQ role.
 * Authenticator enrolment is only for a session still enrolling, so a signed-in one gets 403 there.
 */
function expectedConsole(endpoint: (typeof CONSOLE_ENDPOINTS)[number], caller: ConsoleCaller): Verdict {
  const { roles } = endpoint
  if (roles === 'public') return 'allowed'
  if (caller === 'none' || caller === 'wrong' || caller === 'branch PC') return '401'
  if (endpoint.url.endsWith('/login/totp')) return '403'
  if (roles === 'session') return 'allowed'
  return roles.includes(caller) ? 'allowed' : '403'
}

// Keys that exist nowhere, so an allowed call is refused for its input and changes nothing.
const concrete = (url: string) =>
  url
    .replace(':id', 'Z9999')
    .replace(':code', '999')
    .replace(':clientId', 'ws-999-none')
    .replace(':serial', 'NO-SUCH-SERIAL')
    .replace(':change', 'unlock')

const CONSOLE_BEGIN = '<!-- console-matrix:begin (generated from src/central/console/routes.ts) -->'
const CONSOLE_END = '<!-- console-matrix:end -->'

function consoleMatrixMarkdown(): string {
  const mark = { allowed: '✓', '401': '401', '403': '403' } as const
  const rows = [...CONSOLE_ENDPOINTS].sort((a, b) =>
    `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`),
  )
  return [
    `| endpoint | ${CONSOLE_CALLERS.join(' | ')} |`,
    `| --- | ${CONSOLE_CALLERS.map(() => ':-:').join(' | ')} |`,
    ...rows.map(
      (e) =>
        `| \`${e.method} ${e.url.replace('/console/api', '')}\` | ${CONSOLE_CALLERS.map((c) => mark[expectedConsole(e, c)]).join(' | ')} |`,
    ),
  ].join('\n')
}

describe('HQ console endpoints × {none, wrong, branch PC, each HQ role}', () => {
  it('every cell answers as the declared roles say; a refused or input-less call changes nothing', async () => {
    const { startConsoleCentral } = await import('../support/consoleCentral')
    const hq = await startConsoleCentral()
    try {
      const code = await (
        await import('../../src/central/sync')
      ).createEnrollmentCode(hq.db, '001', hq.clock.now)
      const pc = (await (
        await fetch(`${hq.url}/v1/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ branchCode: '001', enrollmentCode: code, workstationName: 'pc' }),
        })
      ).json()) as { clientId: string; secret: string }
      const sessions: Record<HqRole, ConsoleClient> = {
        hq_operator: await new ConsoleClient(hq.url).signIn('HQ001', hq.clock.now),
        hq_supervisor: await new ConsoleClient(hq.url).signIn('HQ101', hq.clock.now),
        hq_admin: await new ConsoleClient(hq.url).signIn('HQ901', hq.clock.now),
      }
      const wrong = new ConsoleClient(hq.url)
      wrong.cookie = `td_hq_session=${'A'.repeat(43)}`
      wrong.csrfToken = 'B'.repeat(43)
      const snapshot = async () =>
        JSON.stringify(
          await Promise.all(
            [
              'staff',
              'customers',
              'inventory',
              'requests',
              'branches',
              'hq_staff',
              'hq_completions',
              'audit_alerts',
            ].map((t) => hq.db(t).select('*')),
          ),
        )
      const before = await snapshot()
      const got: string[] = []
      const want: string[] = []
      // Sign-in and the session's own endpoints are tried last: logout ends the session it is sent with.
      const order = [...CONSOLE_ENDPOINTS].sort(
        (a, b) => Number(a.roles === 'session') - Number(b.roles === 'session'),
      )
      for (const e of order) {
        if (e.roles === 'public') continue // sign-in itself: tried by console-auth.test.ts and the fuzzer
        const path = concrete(e.url).replace('/console/api', '')
        for (const caller of CONSOLE_CALLERS) {
          const answer =
            caller === 'none'
              ? await new ConsoleClient(hq.url).call(e.method, path, {})
              : caller === 'wrong'
                ? await wrong.call(e.method, path, {})
                : caller === 'branch PC'
                  ? await new ConsoleClient(hq.url).call(
                      e.method,
                      path,
                      {},
                      {
                        headers: { authorization: `Bearer ${pc.clientId}.${pc.secret}` },
                      },
                    )
                  : await sessions[caller].call(e.method, path, {})
          const verdict: Verdict = answer.status === 401 ? '401' : answer.status === 403 ? '403' : 'allowed'
          const expected = expectedConsole(e, caller)
          got.push(`${e.method} ${e.url} × ${caller}: ${verdict}`)
          want.push(`${e.method} ${e.url} × ${caller}: ${expected}`)
          expect(answer.status, `${e.method} ${e.url} × ${caller}`).toBeLessThan(500)
        }
      }
      expect(got).toEqual(want)
      expect(await snapshot()).toBe(before)

      // And an HQ session is no credential for the branch endpoints.
      const hqCookie = { cookie: sessions.hq_admin.cookie ?? '' }
      for (const path of ['/v1/sync/push', '/v1/sync/pull']) {
        const res = await fetch(`${hq.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...hqCookie },
          body: JSON.stringify({
            clientId: pc.clientId,
            schemaVersion: SCHEMA_VERSION,
            mutations: [],
            cookie: null,
          }),
        })
        expect(res.status).toBe(401)
      }
      console.log(`[central-matrix] console: ${got.length} cells`)
    } finally {
      await hq.close()
    }
  }, 120_000)

  it('docs/security.md carries the same table', async () => {
    // The endpoints are registered when a central is built.
    if (!CONSOLE_ENDPOINTS.length) {
      const { startConsoleCentral } = await import('../support/consoleCentral')
      await (await startConsoleCentral()).close()
    }
    const doc = readFileSync('docs/security.md', 'utf8')
    const generated = `${CONSOLE_BEGIN}\n\n${consoleMatrixMarkdown()}\n\n${CONSOLE_END}`
    const at = doc.indexOf(CONSOLE_BEGIN)
    const current = at < 0 ? '' : doc.slice(at, doc.indexOf(CONSOLE_END) + CONSOLE_END.length)
    const plain = (text: string) => text.replace(/ +/g, '').replace(/-+/g, '-')
    if (process.env['UPDATE_DOCS'] && plain(current) !== plain(generated)) {
      const anchor = '## 3. Fuzzing that reaches the code'
      writeFileSync(
        'docs/security.md',
        current ? doc.replace(current, generated) : doc.replace(anchor, `${generated}\n\n${anchor}`),
      )
    }
    expect(plain(current)).toBe(plain(generated))
  }, 60_000)
})
