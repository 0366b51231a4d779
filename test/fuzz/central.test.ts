import fc from 'fast-check'
import { mkdirSync, writeFileSync } from 'node:fs'
import type { Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateDemoBank } from '../../src/core/demo/generator'
import { MUTATORS } from '../../src/core/mutators'
import { enrollRequest, MUTATION_NAMES, pullRequest, pushRequest } from '../../src/shared/syncProtocol'
import { startCentral, type TestCentral } from '../support/central'
import { arbitraryFor, fuzzInput, type Hints } from './zodArbitrary'

/** Requests per endpoint: a short run in CI; `npm run test:fuzz` sets FUZZ_RUNS=1000. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25)
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261127)

/** Central's business tables; `mutations` and `clients` are the log and the clients' cursors. */
const CENTRAL_BUSINESS = [
  'branches',
  'staff',
  'customers',
  'tokens',
  'inventory',
  'requests',
  'receipts',
  'day_closes',
]

interface EndpointFigures {
  endpoint: string
  /** Push only: mutations central applied, and refused with a rejection code. */
  mutations?: { applied: number; rejected: number; duplicate: number; codes: Record<string, number> }
  tried: number
  reachedService: number
  succeeded: number
  statuses: Record<string, number>
}

let central: TestCentral
let client: { clientId: string; secret: string }
let lastMutationId = 0
const figures: EndpointFigures[] = []
const bank = generateDemoBank()

async function installChangeCounter(db: Knex): Promise<() => Promise<number>> {
  await db.raw('CREATE TABLE fuzz_changes (n INTEGER NOT NULL)')
  await db.raw('INSERT INTO fuzz_changes (n) VALUES (0)')
  // Central's count of wrong passwords is meant to move on a refused credential change (like the branch's
  // lockout counter): a staff UPDATE counts unless it sets that column alone.
  const staffColumns = Object.keys(await db('staff').columnInfo()).filter((c) => c !== 'credential_failures')
  for (const table of CENTRAL_BUSINESS)
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      const event = table === 'staff' && op === 'UPDATE' ? `UPDATE OF ${staffColumns.join(', ')}` : op
      await db.raw(
        `CREATE TRIGGER fuzz_${table}_${op.toLowerCase()} AFTER ${event} ON ${table} BEGIN UPDATE fuzz_changes SET n = n + 1; END`,
      )
    }
  return async () => Number((await db('fuzz_changes').first()).n)
}
let changes: () => Promise<number>

async function post(path: string, body: unknown, authorization?: string) {
  const res = await fetch(`${central.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text }
}

beforeAll(async () => {
  central = await startCentral('sqlite')
  const code = await central.enrollmentCode('001')
  const enrolled = await post('/v1/enroll', {
    branchCode: '001',
    enrollmentCode: code,
    workstationName: 'fuzz',
  })
  client = JSON.parse(enrolled.body)
  changes = await installChangeCounter(central.db)
})
afterAll(async () => {
  await central.close()
  if (process.env['FUZZ_REPORT']) {
    const file = process.env['FUZZ_REPORT'].replace(/\.json$/, '-central.json')
    mkdirSync('.tmp', { recursive: true })
    writeFileSync(file, JSON.stringify({ runs: RUNS, seed: SEED, figures }, null, 2))
  }
})

const cifs = bank.customers.filter((c) => c.homeBranch === '001').map((c) => c.cif)
const serials = bank.stock.map((s) => s.serial)
const requestIds: string[] = []

/** Mutation args that name real records: what a branch actually sends, bent now and then. */
const argsArbitrary = fc.record(
  {
    cif: fc.oneof(fc.constantFrom(...cifs), fc.string({ maxLength: 8 }), fc.integer()),
    serial: fc.oneof(fc.constantFrom(...serials), fc.string({ maxLength: 10 })),
    requestId: fc.oneof(
      fc.uuid(),
      fc
        .tuple(fc.nat(), fc.uuid())
        .map(([i, u]) => (requestIds.length ? requestIds[i % requestIds.length]! : u)),
    ),
    reason: fc.constantFrom('lost', 'stolen', 'unneeded', 'change_device', 'other'),
    channel: fc.constantFrom('in_person', 'paper'),
    checker: fc.constantFrom('S001', 'T001', 'T002', 'A001', 'S999'),
    staffId: fc.constantFrom('T001', 'T002', 'S001'),
    businessDate: fc.constantFrom('2026-11-25', '2026-11-26'),
    expectedYen: fc.nat(100_000),
    countedYen: fc.nat(100_000),
    receiptNo: fc.stringMatching(/^001-2026112[0-9]-000[0-9]$/),
    note: fc.string({ maxLength: 20 }),
    fee: fc.record({
      method: fc.constantFrom('cash', 'waiver', 'account_debit'),
      receiptNo: fc.stringMatching(/^001-2026112[0-9]-00[0-9]{2}$/),
      amountYen: fc.constantFrom(1100, 0),
      waivedBy: fc.constantFrom('S001', 'T001'),
    }),
  },
  { requiredKeys: [] },
)

/** Field hints for the mutators' own argument schemas (src/core/mutators/args.ts). */
const argHints: Hints = {
  cif: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...cifs) }, fc.stringMatching(/^[0-9]{7}$/)),
  serial: fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...serials) },
    fc.stringMatching(/^[A-Z0-9-]{4,12}$/),
  ),
  requestId: fc.oneof(
    fc.uuid({ version: 4 }),
    fc
      .tuple(fc.nat(), fc.uuid({ version: 4 }))
      .map(([i, u]) => (requestIds.length ? requestIds[i % requestIds.length]! : u)),
  ),
  checker: fc.constantFrom('S001', 'T001', 'T002', 'A001'),
  staffId: fc.constantFrom('T001', 'T002', 'S001'),
}

/** A mutation as a branch sends it: a name, and arguments derived from that mutator's schema (or junk). */
const mutationArbitrary = fc.constantFrom(...MUTATION_NAMES).chain((name) =>
  fc.record({
    id: fc.nat(1000),
    name: fc.constant(name),
    args: fc.oneof({ weight: 5, arbitrary: arbitraryFor(MUTATORS[name].args, argHints) }, argsArbitrary),
    createdAt: fc.constant('2026-11-25T01:00:00.000Z'),
    actor: fc.constantFrom('T001', 'T002', 'S001', 'A001'),
  }),
)

const hints: Hints = {
  mutations: fc.array(mutationArbitrary, { maxLength: 5 }),
  branchCode: fc.constantFrom('001', '002', '999'),
  clientId: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null).map(() => client.clientId) },
    fc.string({ maxLength: 64 }),
  ),
  actor: fc.constantFrom('T001', 'T002', 'S001', 'A001'),
  args: argsArbitrary,
  name: fc.constantFrom(...MUTATION_NAMES),
  createdAt: fc.constant('2026-11-25T01:00:00.000Z'),
  cookie: fc.oneof(fc.constant(null), fc.nat(50)),
}

const credentials = fc.oneof(
  { weight: 6, arbitrary: fc.constant('good') },
  fc.constantFrom('none', 'wrong-secret', 'malformed'),
)

function authorization(kind: string): string | undefined {
  if (kind === 'good') return `Bearer ${client.clientId}.${client.secret}`
  if (kind === 'wrong-secret') return `Bearer ${client.clientId}.AAAAAAAAAAAAAAAAAAAAAA`
  if (kind === 'malformed') return 'Basic Zm9vOmJhcg=='
  return undefined
}

/** Every answer: 2xx or a typed 4xx {error: {code, message}}; never a 5xx; failures change nothing. */
async function check(
  f: EndpointFigures,
  reached: boolean,
  call: () => Promise<{ status: number; body: string }>,
  applied: (body: unknown) => boolean,
) {
  const before = await changes()
  const res = await call()
  const after = await changes()
  f.tried++
  if (reached) f.reachedService++
  f.statuses[res.status] = (f.statuses[res.status] ?? 0) + 1
  expect(res.status, res.body).toBeLessThan(500)
  const body = JSON.parse(res.body) as unknown
  if (res.status === 200) {
    f.succeeded++
    if (!applied(body)) expect(after).toBe(before)
  } else {
    expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
    expect(after).toBe(before)
  }
}

describe(`every central endpoint over HTTP, ${RUNS} fuzz requests each`, () => {
  it(
    'POST /v1/enroll',
    async () => {
      const f: EndpointFigures = {
        endpoint: 'POST /v1/enroll',
        tried: 0,
        reachedService: 0,
        succeeded: 0,
        statuses: {},
      }
      figures.push(f)
      await fc.assert(
        fc.asyncProperty(fuzzInput(enrollRequest, hints), fc.boolean(), async (body, realCode) => {
          const input =
            realCode && body && typeof body === 'object' && !Array.isArray(body)
              ? { ...body, enrollmentCode: await central.enrollmentCode('001') }
              : body
          await check(
            f,
            enrollRequest.safeParse(input).success,
            () => post('/v1/enroll', input),
            () => true,
          )
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      )
      expect(f.tried).toBe(RUNS)
    },
    RUNS * 600 + 60_000,
  )

  it(
    'POST /v1/sync/push',
    async () => {
      const f: EndpointFigures = {
        endpoint: 'POST /v1/sync/push',
        tried: 0,
        reachedService: 0,
        succeeded: 0,
        statuses: {},
      }
      figures.push(f)
      await fc.assert(
        fc.asyncProperty(
          fuzzInput(pushRequest, hints),
          credentials,
          fc.nat(9),
          async (body, cred, renumber) => {
            // Most pushes continue the client's sequence, as a real branch's would; some leave a gap or repeat.
            const input = body as { mutations?: { id: number }[] }
            if (renumber < 8 && Array.isArray(input?.mutations))
              input.mutations.forEach((m, i) => {
                if (m && typeof m === 'object') m.id = lastMutationId + 1 + i
              })
            const reached = cred === 'good' && pushRequest.safeParse(input).success
            await check(
              f,
              reached,
              async () => {
                const res = await post('/v1/sync/push', input, authorization(cred))
                if (res.status === 200) {
                  const answer = JSON.parse(res.body) as {
                    lastMutationId: number
                    results: { status: 'applied' | 'rejected' | 'duplicate'; code?: string }[]
                  }
                  lastMutationId = answer.lastMutationId
                  const m = (f.mutations ??= { applied: 0, rejected: 0, duplicate: 0, codes: {} })
                  for (const r of answer.results) {
                    m[r.status]++
                    if (r.code) m.codes[r.code] = (m.codes[r.code] ?? 0) + 1
                  }
                }
                return res
              },
              (answer) =>
                (answer as { results: { status: string }[] }).results.some((r) => r.status === 'applied'),
            )
            for (const r of await central.db('requests').pluck('id'))
              if (!requestIds.includes(r)) requestIds.push(r)
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      )
      expect(f.tried).toBe(RUNS)
    },
    RUNS * 600 + 60_000,
  )

  it(
    'POST /v1/sync/pull',
    async () => {
      const f: EndpointFigures = {
        endpoint: 'POST /v1/sync/pull',
        tried: 0,
        reachedService: 0,
        succeeded: 0,
        statuses: {},
      }
      figures.push(f)
      await fc.assert(
        fc.asyncProperty(fuzzInput(pullRequest, hints), credentials, async (body, cred) => {
          const reached = cred === 'good' && pullRequest.safeParse(body).success
          await check(
            f,
            reached,
            () => post('/v1/sync/pull', body, authorization(cred)),
            () => false,
          )
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      )
      expect(f.tried).toBe(RUNS)
    },
    RUNS * 600 + 60_000,
  )

  it(
    'GET /health and unknown paths',
    async () => {
      const f: EndpointFigures = {
        endpoint: 'GET /health',
        tried: 0,
        reachedService: 0,
        succeeded: 0,
        statuses: {},
      }
      figures.push(f)
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/health', '/health?x=1', '/v1/nope', '/%2e%2e/etc/passwd'),
          async (path) => {
            await check(
              f,
              path.startsWith('/health'),
              async () => {
                const res = await fetch(`${central.url}${path}`)
                return { status: res.status, body: await res.text() }
              },
              () => false,
            )
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      )
    },
    RUNS * 600 + 60_000,
  )

  it('central is still up and answering after all of it', async () => {
    expect((await fetch(`${central.url}/health`)).status).toBe(200)
  })

  it('most requests reached a service', () => {
    const tried = figures.reduce((n, f) => n + f.tried, 0)
    const reached = figures.reduce((n, f) => n + f.reachedService, 0)
    expect(reached / tried).toBeGreaterThan(0.5)
  })
})
