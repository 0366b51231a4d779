import { openCentralDb } from '../../src/central/db'
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

  // A branch back from a day offline pushes 500 mutations at a time, and each adds to `requests`: if a
  // push's read of it scans the whole table, every push costs more than the last (issue 11: joined by OR
  // with the lookup by id, the open-revocation lookup made PostgreSQL scan it; SQLite used its indexes for
  // the OR as well, so only the PostgreSQL run would catch that shape coming back).
  it("looks up a full push's open revocations by index, with 20,000 requests on record", async () => {
    const all = await central.db('customers').where({ branch_code: '001' }).orderBy('cif').pluck('cif')
    const version = Number((await central.db('meta').where({ key: 'version' }).first('value')).value)
    for (let i = 0; i < 20_000; i += 500)
      await central.db('requests').insert(
        Array.from({ length: 500 }, (_, j) => ({
          id: crypto.randomUUID(),
          kind: 'revocation',
          cif: all[(i + j) % all.length],
          branch_code: '001',
          state: 'completed',
          maker: 'T001',
          detail_json: '{}',
          version,
        })),
      )
    // As PostgreSQL's autovacuum (or SQLite's optimize) would have done by now.
    await central.db.raw('ANALYZE requests')
    const inUse = await cifsIn('in_use', 500)
    const seen: { sql: string; bindings: unknown[] }[] = []
    const listen = (q: { sql: string; bindings?: unknown[] }) =>
      seen.push({ sql: q.sql, bindings: q.bindings ?? [] })
    central.db.on('query', listen)
    const response = await post(
      '/v1/sync/push',
      { clientId, schemaVersion: 1, mutations: inUse.map((cif, i) => request(9 + i, cif)) },
      auth,
    ).finally(() => central.db.off('query', listen))
    expect(response.status).toBe(200)
    const reads = seen.filter((q) => /^select .* from ["`]requests["`] where .*["`]cif["`] in/i.test(q.sql))
    expect(reads).toHaveLength(1)
    const plan = await explain(reads[0]!.sql, reads[0]!.bindings)
    expect(plan).toMatch(/requests_cif_index/)
    expect(plan).not.toMatch(/Seq Scan on requests\b|^SCAN requests\b/m)
  })

  it('opens connections with the settings a drain relies on, keeping a URL’s own options', async () => {
    if (engine === 'postgres') {
      const url = new URL(process.env['TEST_POSTGRES_URL']!)
      url.searchParams.set('options', '-c statement_timeout=5000')
      const db = openCentralDb({ databaseUrl: url.toString() })
      try {
        expect((await db.raw('SHOW random_page_cost')).rows).toEqual([{ random_page_cost: '1.1' }])
        expect((await db.raw('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '5s' }])
      } finally {
        await db.destroy()
      }
    } else {
      expect(await central.db.raw('PRAGMA cache_size')).toEqual([{ cache_size: -65536 }])
    }
  })

  /** The plan each engine would run for a statement, one line a step. */
  async function explain(sql: string, bindings: unknown[]): Promise<string> {
    const client = central.db.client as {
      acquireConnection(): Promise<unknown>
      releaseConnection(c: unknown): Promise<void>
    }
    const conn = await client.acquireConnection()
    try {
      if (engine === 'postgres') {
        const result = await (
          conn as { query(s: string, b: unknown[]): Promise<{ rows: Record<string, string>[] }> }
        ).query(`EXPLAIN ${sql}`, bindings)
        return result.rows.map((r) => r['QUERY PLAN']).join('\n')
      }
      const rows = await new Promise<{ detail: string }[]>((resolve, reject) =>
        (
          conn as {
            all(s: string, b: unknown[], cb: (e: Error | null, r: { detail: string }[]) => void): void
          }
        ).all(`EXPLAIN QUERY PLAN ${sql}`, bindings, (e, r) => (e ? reject(e) : resolve(r))),
      )
      return rows.map((r) => r.detail).join('\n')
    } finally {
      await client.releaseConnection(conn)
    }
  }
})
