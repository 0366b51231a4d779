import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CENTRAL_ENGINES, startCentral, type TestCentral } from '../support/central'

// Central applies a push's batch with its reads loaded up front and its new requests written together
// (src/central/pushBatch.ts). These check that the batch sees its own earlier mutations exactly as one
// mutation at a time would: refusals, decisions on requests made earlier in the same push, the log.
describe.each(CENTRAL_ENGINES)('a push batch on %s', (engine) => {
  let central: TestCentral
  let auth: string
  let clientId: string

  beforeAll(async () => {
    central = await startCentral(engine)
    const response = await post('/v1/enroll', {
      branchCode: '001',
      enrollmentCode: await central.enrollmentCode('001'),
      workstationName: 'pc-batch',
    })
    const enrolled = (await response.json()) as { clientId: string; secret: string }
    clientId = enrolled.clientId
    auth = `Bearer ${enrolled.clientId}.${enrolled.secret}`
  })
  afterAll(() => central.close())

  function post(path: string, body: unknown, authorization?: string) {
    return fetch(`${central.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    })
  }
  const mutation = (id: number, name: string, args: object, actor = 'T001') => ({
    id,
    name,
    args,
    createdAt: '2026-11-25T01:00:00Z',
    actor,
  })
  const request = (id: number, cif: string, requestId: string = crypto.randomUUID()) =>
    mutation(id, 'revocation.request', {
      requestId,
      cif,
      tokenUid: null,
      channel: 'in_person',
      reason: 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
    })
  const cifsIn = async (status: string, n: number) =>
    (
      await central.db('customers').where({ otp_status: status, branch_code: '001' }).orderBy('cif').limit(n)
    ).map((c) => c.cif as string)

  it('sees its own earlier mutations: refusals, duplicates, and decisions on requests it made', async () => {
    const [a, b, c] = await cifsIn('in_use', 3)
    const [never] = await cifsIn('not_applied', 1)
    const first = crypto.randomUUID()
    const second = crypto.randomUUID()
    const response = await post(
      '/v1/sync/push',
      {
        clientId,
        schemaVersion: 1,
        mutations: [
          request(1, a!, first),
          request(2, a!), // A already has an open revocation: the one made just before, still unwritten
          request(3, never!), // nothing to revoke
          request(4, b!, first), // the same request id again
          mutation(5, 'revocation.approve', { requestId: first, checker: 'S001' }, 'T002'),
          request(6, c!, second),
          mutation(7, 'revocation.approve', { requestId: second, checker: 'T001' }, 'T002'), // maker approves
        ],
      },
      auth,
    )
    expect(response.status).toBe(200)
    const body = (await response.json()) as { lastMutationId: number; results: object[] }
    expect(body).toEqual({
      lastMutationId: 7,
      results: [
        { id: 1, status: 'applied' },
        { id: 2, status: 'rejected', code: 'REVOCATION_OPEN' },
        { id: 3, status: 'rejected', code: 'INVALID_STATE' },
        { id: 4, status: 'rejected', code: 'CONFLICT' },
        { id: 5, status: 'applied' },
        { id: 6, status: 'applied' },
        { id: 7, status: 'rejected', code: expect.any(String) },
      ],
    })
    const requests = await central.db('requests').whereIn('cif', [a!, b!, c!, never!]).orderBy('cif')
    expect(requests.map((r) => [r.id, r.cif, r.state, r.checker])).toEqual([
      [first, a, 'awaiting_central', 'S001'],
      [second, c, 'awaiting_branch', null],
    ])
    const statuses = await central
      .db('customers')
      .whereIn('cif', [a!, b!, c!])
      .orderBy('cif')
      .pluck('otp_status')
    expect(statuses).toEqual(['revocation_pending', 'in_use', 'in_use'])
    const log = await central.db('mutations').where({ client_id: clientId }).orderBy('id')
    expect(log.map((m) => [Number(m.id), m.status])).toEqual([
      [1, 'applied'],
      [2, 'rejected'],
      [3, 'rejected'],
      [4, 'rejected'],
      [5, 'applied'],
      [6, 'applied'],
      [7, 'rejected'],
    ])
  })

  it('a later push sees what the earlier one wrote', async () => {
    const [a] = await cifsIn('revocation_pending', 1)
    const response = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: [request(8, a!)] },
      auth,
    )
    expect(await response.json()).toMatchObject({
      lastMutationId: 8,
      results: [{ id: 8, status: 'rejected' }],
    })
  })
})
