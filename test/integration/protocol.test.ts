import { resetStaffPassword } from '../../src/central/staffAdmin'
import { CLI_ACTOR } from '../../src/central/hqActor'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importCustomers } from '../../src/central/customerImport'
import { CENTRAL_ENGINES, startCentral, type TestCentral } from '../support/central'

describe.each(CENTRAL_ENGINES)('sync protocol on %s', (engine) => {
  let central: TestCentral
  let auth: string
  let clientId: string
  let otherAuth: string

  beforeAll(async () => {
    central = await startCentral(engine)
    await central.hq.addBranch('002', '駅前支店')
    const enrol = async (branch: string) => {
      const response = await post('/v1/enroll', {
        branchCode: branch,
        enrollmentCode: await central.enrollmentCode(branch),
        workstationName: `pc-${branch}`,
      })
      expect(response.status).toBe(200)
      return (await response.json()) as { clientId: string; secret: string }
    }
    const mine = await enrol('001')
    clientId = mine.clientId
    auth = `Bearer ${mine.clientId}.${mine.secret}`
    const other = await enrol('002')
    otherAuth = `Bearer ${other.clientId}.${other.secret}`
  })
  afterAll(() => central.close())

  function post(path: string, body: unknown, authorization?: string, raw?: string) {
    return fetch(`${central.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: raw ?? JSON.stringify(body),
    })
  }
  const mutation = (id: number, name: string, args: object, actor = 'T001') => ({
    id,
    name,
    args,
    createdAt: '2026-11-25T01:00:00Z',
    actor,
  })
  const suspend = (id: number, cif: string) =>
    mutation(id, 'token.suspend', { requestId: crypto.randomUUID(), cif, tokenUid: null, reason: 'lost' })
  const cifIn = async (status: string, branch = '001') =>
    (await central.db('customers').where({ otp_status: status, branch_code: branch }).orderBy('cif').first())
      .cif as string

  it('refuses an enrolment code used twice', async () => {
    const code = await central.enrollmentCode('001')
    expect(
      (await post('/v1/enroll', { branchCode: '001', enrollmentCode: code, workstationName: 'a' })).status,
    ).toBe(200)
    const again = await post('/v1/enroll', { branchCode: '001', enrollmentCode: code, workstationName: 'b' })
    expect(again.status).toBe(401)
    expect(await again.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } })
  })

  it('applies new mutations, skips duplicates, and refuses a gap with 409', async () => {
    const cif = await cifIn('in_use')
    const first = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [suspend(1, cif)] },
      auth,
    )
    expect(await first.json()).toEqual({ lastMutationId: 1, results: [{ id: 1, status: 'applied' }] })
    expect((await central.db('customers').where({ cif }).first()).otp_status).toBe('suspended')

    const again = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [suspend(1, cif)] },
      auth,
    )
    expect(await again.json()).toEqual({ lastMutationId: 1, results: [{ id: 1, status: 'duplicate' }] })

    const gap = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [suspend(3, await cifIn('in_use'))] },
      auth,
    )
    expect(gap.status).toBe(409)
    expect(await gap.json()).toMatchObject({ error: { code: 'MUTATION_GAP' } })
  })

  it('rejects a business refusal with a code and still advances', async () => {
    const cif = await cifIn('not_applied')
    const response = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [suspend(2, cif)] },
      auth,
    )
    expect(await response.json()).toEqual({
      lastMutationId: 2,
      results: [{ id: 2, status: 'rejected', code: 'INVALID_STATE' }],
    })
  })

  it('rejects a mutation naming another branch’s customer with FORBIDDEN_BRANCH (in a 200)', async () => {
    const foreign = await cifIn('in_use')
    const response = await post(
      '/v1/sync/push',
      { clientId: await otherId(), schemaVersion: 1, mutations: [suspend(1, foreign)] },
      otherAuth,
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      lastMutationId: 1,
      results: [{ id: 1, status: 'rejected', code: 'FORBIDDEN_BRANCH' }],
    })
    expect((await central.db('customers').where({ cif: foreign }).first()).otp_status).toBe('in_use')
  })

  it('re-checks maker ≠ checker at central', async () => {
    const cif = await cifIn('in_use')
    const requestId = crypto.randomUUID()
    const request = mutation(
      3,
      'revocation.request',
      {
        requestId,
        cif,
        tokenUid: null,
        channel: 'in_person',
        reason: 'unneeded',
        identity: { kind: 'passport', last4: '1234' },
      },
      'S001',
    )
    const approve = mutation(4, 'revocation.approve', { requestId, checker: 'S001' }, 'S001')
    const response = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [request, approve] },
      auth,
    )
    expect(await response.json()).toEqual({
      lastMutationId: 4,
      results: [
        { id: 3, status: 'applied' },
        { id: 4, status: 'rejected', code: 'MAKER_IS_CHECKER' },
      ],
    })
  })

  it('answers bad credentials 401, another client’s id 403, malformed JSON 400, an oversized body 413', async () => {
    expect((await post('/v1/sync/push', { clientId, schemaVersion: 1, mutations: [] })).status).toBe(401)
    expect(
      (
        await post(
          '/v1/sync/push',
          { clientId, schemaVersion: 1, mutations: [] },
          `Bearer ${clientId}.wrong-secret`,
        )
      ).status,
    ).toBe(401)
    const wrong = await post(
      '/v1/sync/push',
      { clientId: await otherId(), schemaVersion: 1, mutations: [] },
      auth,
    )
    expect(wrong.status).toBe(403)
    const malformed = await post('/v1/sync/push', null, auth, '{"clientId": ')
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: { code: 'MALFORMED' } })
    const invalid = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [{ id: 'x' }] },
      auth,
    )
    expect(invalid.status).toBe(400)
    const huge = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [], pad: 'x'.repeat(1_100_000) },
      auth,
    )
    expect(huge.status).toBe(413)
  })

  it('refuses an unknown client with a non-zero id', async () => {
    const response = await post(
      '/v1/sync/push',
      { clientId: 'ws-001-ghost', schemaVersion: 1, mutations: [suspend(5, '1000001')] },
      'Bearer ws-001-ghost.secret',
    )
    expect(response.status).toBe(401)
  })

  it('pulls the branch’s data only, clear first, then only changes after the cookie', async () => {
    const first = await post('/v1/sync/pull', { clientId, cookie: null }, auth)
    const body = (await first.json()) as {
      cookie: number
      patch: { op: string; entity?: string; value?: Record<string, unknown> }[]
      more: boolean
      lastMutationId: number
    }
    expect(body.patch[0]).toEqual({ op: 'clear' })
    expect(body.lastMutationId).toBe(4)
    const customers = body.patch.filter((p) => p.entity === 'customer')
    expect(customers.length).toBeGreaterThan(1000)
    for (const c of customers) expect(c.value!['homeBranch']).toBe('001')
    const stock = body.patch.filter((p) => p.entity === 'inventory' && p.value!['state'] === 'in_stock')
    expect(stock).toHaveLength(50)
    expect(stock[0]!.value!['seed']).toMatch(/^[A-Za-z0-9+/]+=*$/)

    const cif = await cifIn('in_use')
    await post('/v1/sync/push', { clientId, schemaVersion: 1, mutations: [suspend(5, cif)] }, auth)
    const next = (await (
      await post('/v1/sync/pull', { clientId, cookie: body.cookie }, auth)
    ).json()) as typeof body
    expect(next.patch.map((p) => p.op)).not.toContain('clear')
    expect(next.patch.filter((p) => p.entity === 'customer').map((p) => p.value!['cif'])).toEqual([cif])
  })

  it('problem 6: a malformed or failing mutation is that mutation’s rejection, never the push’s', async () => {
    const cif = await cifIn('not_applied')
    const other = await cifIn('in_use')
    const fee = (value: unknown) =>
      mutation(0, 'token.issue_hard', {
        requestId: crypto.randomUUID(),
        cif,
        serial: 'KT10000001',
        fee: value,
        identity: { kind: 'passport', last4: '1234' },
        verifiedAt: '2026-11-25T01:00:00Z',
      })
    const sharedId = crypto.randomUUID()
    const revoke = (c: string) =>
      mutation(0, 'revocation.request', {
        requestId: sharedId,
        cif: c,
        tokenUid: null,
        channel: 'in_person',
        reason: 'unneeded',
        identity: { kind: 'passport', last4: '1234' },
      })
    const batch = [
      fee('1100'),
      fee({
        receiptNo: '001-01-20261125-0001',
        businessDate: '2026-11-25',
        method: 'cash',
        amountYen: -1_100_000,
      }),
      mutation(0, 'ledger.close_day', {
        staffId: 'T001',
        businessDate: 'not-a-date',
        expectedYen: 0,
        countedYen: 0,
        checker: 'S001',
      }),
      { ...suspend(0, other), actor: 'Z999' },
      mutation(0, 'token.teleport', { cif }),
      mutation(0, 'revocation.request', 'not an object' as unknown as object),
      revoke(other),
      revoke(await secondIn('in_use')),
      suspend(0, other),
    ]
    const start = (await central.db('clients').where({ client_id: clientId }).first()).last_mutation_id
    const mutations = batch.map((m, i) => ({ ...m, id: Number(start) + 1 + i }))
    const before = await central.db('customers').where({ cif }).first()
    const response = await post('/v1/sync/push', { clientId, schemaVersion: 1, mutations }, auth)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { results: { status: string; code?: string }[] }
    expect(body.results.map((r) => r.code ?? r.status)).toEqual([
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'UNKNOWN_STAFF',
      'UNKNOWN_MUTATION',
      'VALIDATION',
      'applied',
      'CONFLICT',
      'applied',
    ])
    expect(await central.db('customers').where({ cif }).first()).toEqual(before)
    expect(await central.db('receipts').where({ receipt_no: '001-01-20261125-0001' })).toEqual([])
  })

  it('pages a large first pull within 5,000 entries a page, saying how much remains', async () => {
    const lines = ['cif,branch,name_kanji,name_kana,birth_date,phone,accounts,otp_status']
    for (let i = 0; i < 6000; i++)
      lines.push(`${7000000 + i},002,支店 太郎,シテン タロウ,1980-01-01,090-0000-0000,,not_applied`)
    await importCustomers(central.db, lines.join('\n'), new Date())
    const other = await otherId()
    let cookie: number | null = null
    const pages: { size: number; remaining: number; more: boolean }[] = []
    let received = 0
    do {
      const page = (await (await post('/v1/sync/pull', { clientId: other, cookie }, otherAuth)).json()) as {
        cookie: number
        patch: { op: string; entity?: string }[]
        more: boolean
        remaining: number
      }
      pages.push({ size: page.patch.length, remaining: page.remaining, more: page.more })
      received += page.patch.filter((p) => p.entity === 'customer').length
      cookie = page.cookie
      if (!page.more) break
    } while (pages.length < 5)
    expect(pages.length).toBeGreaterThan(1)
    for (const p of pages) expect(p.size).toBeLessThanOrEqual(5000)
    expect(pages[0]!.remaining).toBeGreaterThan(0)
    expect(pages.at(-1)).toMatchObject({ more: false, remaining: 0 })
    expect(received).toBe(6000)
  })

  /**
   * A PC's own credentials changes: the actor is not proof, so central checks the person's current password
   * against its own hash (change_password since issue 8; enrol_totp now too, or a modified PC could enrol
   * a secret of its choosing for any supervisor and forge their approvals).
   */
  it('takes a supervisor’s authenticator only with their current password, and changes nothing otherwise', async () => {
    const code = await central.enrollmentCode('001')
    const pc = (await (
      await post('/v1/enroll', { branchCode: '001', enrollmentCode: code, workstationName: 'pc-totp' })
    ).json()) as { clientId: string; secret: string }
    const pcAuth = `Bearer ${pc.clientId}.${pc.secret}`
    const authenticatorOf = async (staffId: string) =>
      central
        .db('staff')
        .where({ staff_id: staffId })
        .first('totp_secret_sealed', 'totp_enrolled_at', 'password_hash', 'version')
    const enrol = (id: number, args: Record<string, unknown>) =>
      mutation(
        id,
        'staff.enrol_totp',
        {
          staffId: 'S002',
          totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DP',
          enrolledAt: '2026-11-25T02:00:00Z',
          ...args,
        },
        'S002',
      )
    const push = async (m: object) =>
      (await (
        await post('/v1/sync/push', { clientId: pc.clientId, schemaVersion: 1, mutations: [m] }, pcAuth)
      ).json()) as {
        results: { status: string; code?: string }[]
      }
    const before = await authenticatorOf('S002')

    expect(await push(enrol(1, { currentPassword: 'a guess' }))).toMatchObject({
      results: [{ id: 1, status: 'rejected', code: 'STALE_PASSWORD' }],
    })
    expect(await authenticatorOf('S002')).toEqual(before)
    expect(await push(enrol(2, {}))).toMatchObject({
      results: [{ id: 2, status: 'rejected', code: 'VALIDATION' }],
    })
    expect(await authenticatorOf('S002')).toEqual(before)

    expect(await push(enrol(3, { currentPassword: 'demo-S002' }))).toMatchObject({
      results: [{ id: 3, status: 'applied' }],
    })
    const after = await authenticatorOf('S002')
    expect(after.totp_enrolled_at).toBe('2026-11-25T02:00:00Z')
    expect(after.totp_secret_sealed).not.toBe(before.totp_secret_sealed)
    expect(central.secretBox.open(after.totp_secret_sealed, 'totp:S002').toString('utf8')).toBe(
      'JBSWY3DPEHPK3PXPJBSWY3DP',
    )
    expect(after.password_hash).toBe(before.password_hash)
  })

  it('stops checking a person’s credential changes after five wrong passwords, until HQ resets the password', async () => {
    const code = await central.enrollmentCode('001')
    const pc = (await (
      await post('/v1/enroll', { branchCode: '001', enrollmentCode: code, workstationName: 'pc-guess' })
    ).json()) as { clientId: string; secret: string }
    const pcAuth = `Bearer ${pc.clientId}.${pc.secret}`
    const enrol = (id: number, currentPassword: string) =>
      mutation(
        id,
        'staff.enrol_totp',
        {
          staffId: 'S001',
          totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DP',
          currentPassword,
          enrolledAt: '2026-11-25T02:00:00Z',
        },
        'S001',
      )
    const codes = async (mutations: object[]) =>
      (
        (await (
          await post('/v1/sync/push', { clientId: pc.clientId, schemaVersion: 1, mutations }, pcAuth)
        ).json()) as { results: { code?: string; status: string }[] }
      ).results.map((r) => r.code ?? r.status)
    const authenticator = () =>
      central.db('staff').where({ staff_id: 'S001' }).first('totp_secret_sealed', 'totp_enrolled_at')
    const before = await authenticator()

    // A modified PC guesses in one push: five are checked, the rest refused unchecked — the right one too.
    const guesses = [1, 2, 3, 4, 5, 6].map((i) => enrol(i, `guess-${i}`))
    expect(await codes([...guesses, enrol(7, 'demo-S001')])).toEqual([
      ...Array(5).fill('STALE_PASSWORD'),
      'CREDENTIALS_LOCKED',
      'CREDENTIALS_LOCKED',
    ])
    expect(await authenticator()).toEqual(before)

    // HQ resets the password; the count starts again and the person enrols with the new one.
    await resetStaffPassword(
      central.db,
      CLI_ACTOR,
      { staffId: 'S001', password: 'Temporary-2026' },
      new Date(),
    )
    expect(await codes([enrol(8, 'Temporary-2026')])).toEqual(['applied'])
    expect((await authenticator()).totp_enrolled_at).toBe('2026-11-25T02:00:00Z')
  })

  async function secondIn(status: string): Promise<string> {
    const rows = await central
      .db('customers')
      .where({ otp_status: status, branch_code: '001' })
      .orderBy('cif')
      .limit(2)
    return rows[1].cif
  }

  async function otherId(): Promise<string> {
    return otherAuth.slice('Bearer '.length).split('.')[0]!
  }
})
