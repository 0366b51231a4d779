import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src/shared/syncProtocol'
import { startCentral, type TestCentral } from '../support/central'

/**
 * Central's endpoints × {no credentials, wrong secret, malformed header, another branch's client}.
 * (The HQ console endpoints of issue 9 get their HQ-role rows when they land.)
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
