import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src/shared/syncProtocol'
import { CENTRAL_ENGINES, startCentral, type TestCentral } from '../support/central'

// Issue 11, central under load: the shortcuts a busy central takes (a credential verified once a minute,
// a read-only pull after a push, an empty pull answered at once) must not change what a PC is told.
describe.each(CENTRAL_ENGINES)('central under load: the short paths on %s', (engine) => {
  let central: TestCentral

  beforeAll(async () => {
    central = await startCentral(engine)
  })
  afterAll(() => central.close())

  async function enrol(name: string) {
    const res = await post('/v1/enroll', {
      branchCode: '001',
      enrollmentCode: await central.enrollmentCode('001'),
      workstationName: name,
    })
    expect(res.status).toBe(200)
    const { clientId, secret } = (await res.json()) as { clientId: string; secret: string }
    return { clientId, auth: `Bearer ${clientId}.${secret}` }
  }
  function post(path: string, body: unknown, authorization?: string) {
    return fetch(`${central.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    })
  }
  async function pull(pc: { clientId: string; auth: string }, cookie: number | null) {
    const res = await post('/v1/sync/pull', { clientId: pc.clientId, cookie }, pc.auth)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const revocation = (id: number, cif: string) => ({
    id,
    name: 'revocation.request',
    args: {
      requestId: crypto.randomUUID(),
      cif,
      tokenUid: null,
      channel: 'in_person',
      reason: 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
    },
    createdAt: '2026-11-25T01:00:00Z',
    actor: 'T001',
  })
  const inUse = async (skip: number) =>
    (await central.db('customers').where({ otp_status: 'in_use', branch_code: '001' }).orderBy('cif'))[skip]!
      .cif as string

  it('refuses a revoked PC on its next push and pull, though its credential was verified a moment ago', async () => {
    const pc = await enrol('revoked-soon')
    const first = await pull(pc, null)
    expect(first.status).toBe(200)
    const cookie = first.body['cookie'] as number
    // Revoked the way HQ does it: the row is marked and its secret hash replaced.
    await central
      .db('clients')
      .where({ client_id: pc.clientId })
      .update({
        revoked_at: new Date().toISOString(),
        secret_hash: 'f'.repeat(64),
      })
    const again = await pull(pc, cookie)
    expect(again.status).toBe(401)
    expect(again.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } })
    const pushed = await post(
      '/v1/sync/push',
      { clientId: pc.clientId, schemaVersion: SCHEMA_VERSION, mutations: [revocation(1, await inUse(0))] },
      pc.auth,
    )
    expect(pushed.status).toBe(401)
    // Nothing it sent was kept.
    expect(await central.db('mutations').where({ client_id: pc.clientId })).toHaveLength(0)
  })

  it('refuses a wrong secret for a PC whose right one was just verified', async () => {
    const pc = await enrol('guessed')
    expect((await pull(pc, null)).status).toBe(200)
    const wrong = { clientId: pc.clientId, auth: `Bearer ${pc.clientId}.${'A'.repeat(43)}` }
    expect((await pull(wrong, null)).status).toBe(401)
    expect((await pull(pc, null)).status).toBe(200)
  })

  it('answers a pull with nothing new at once and sends what another PC pushed since', async () => {
    const mine = await enrol('mine')
    const other = await enrol('other')
    const boot = await pull(mine, null)
    const cookie = boot.body['cookie'] as number
    const empty = await pull(mine, cookie)
    expect(empty.body).toMatchObject({ cookie, patch: [], more: false, remaining: 0, rejections: [] })

    const cif = await inUse(1)
    const pushed = await post(
      '/v1/sync/push',
      { clientId: other.clientId, schemaVersion: SCHEMA_VERSION, mutations: [revocation(1, cif)] },
      other.auth,
    )
    expect(((await pushed.json()) as { results: { status: string }[] }).results[0]!.status).toBe('applied')
    const news = await pull(mine, cookie)
    const patch = news.body['patch'] as { entity: string; value: { cif: string } }[]
    // The new request, nothing else (a request leaves the customer's status as it is until approved).
    expect(patch.map((op) => op.entity)).toEqual(['request'])
    expect(patch[0]!.value.cif).toBe(cif)
    expect(news.body['cookie']).toBeGreaterThan(cookie)
  })

  it('keeps "last seen" by the minute: a pull right after a push writes nothing, a later one does', async () => {
    const pc = await enrol('seen')
    const pushed = await post(
      '/v1/sync/push',
      { clientId: pc.clientId, schemaVersion: SCHEMA_VERSION, mutations: [] },
      pc.auth,
    )
    expect(pushed.status).toBe(200)
    const seen = async () =>
      (await central.db('clients').where({ client_id: pc.clientId }).first('last_seen_at'))
        .last_seen_at as string
    const afterPush = await seen()
    expect(afterPush).toBeTruthy()
    expect((await pull(pc, null)).status).toBe(200)
    expect(await seen()).toBe(afterPush)
    // Two minutes ago, as if the PC had been quiet: the pull records it again.
    const earlier = new Date(Date.parse(afterPush) - 120_000).toISOString()
    await central.db('clients').where({ client_id: pc.clientId }).update({ last_seen_at: earlier })
    expect((await pull(pc, null)).status).toBe(200)
    expect(Date.parse(await seen())).toBeGreaterThan(Date.parse(earlier) + 60_000)
  })

  it('tells a PC about its rejected mutation in the pull after the push', async () => {
    const pc = await enrol('rejected')
    const boot = await pull(pc, null)
    const cif = await inUse(2)
    const pushed = await post(
      '/v1/sync/push',
      {
        clientId: pc.clientId,
        schemaVersion: SCHEMA_VERSION,
        mutations: [revocation(1, cif), revocation(2, cif)],
      },
      pc.auth,
    )
    const results = ((await pushed.json()) as { results: { status: string; code?: string }[] }).results
    expect(results.map((r) => r.status)).toEqual(['applied', 'rejected'])
    const after = await pull(pc, boot.body['cookie'] as number)
    expect(after.body['rejections']).toEqual([{ id: 2, code: results[1]!.code }])
  })
})
