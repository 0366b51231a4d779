import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import type { Knex } from 'knex'
import { authenticator } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CONSOLE_ENDPOINTS } from '../../src/central/console/routes'
import { CONSOLE_INPUTS } from '../../src/central/console/inputs'
import { createSession } from '../../src/central/console/sessions'
import { HQ_ROLES, type HqRole } from '../../src/central/hqActor'
import { createEnrollmentCode } from '../../src/central/sync'
import { SCHEMA_VERSION } from '../../src/shared/syncProtocol'
import { generateDemoBank } from '../../src/core/demo/generator'
import { ConsoleClient, hqCode } from '../support/consoleClient'
import { startConsoleCentral, testClock, type ConsoleCentral } from '../support/consoleCentral'
import { fuzzInput, type Hints } from './zodArbitrary'

/**
 * Every HQ console endpoint over HTTP on 127.0.0.1, with inputs built from the zod schemas it declares
 * (src/central/console/inputs.ts: path, query, body). Never a 5xx; every refusal is {error: {code}} and
 * leaves central's business tables as they were. A short run in CI; `npm run test:fuzz` sets FUZZ_RUNS=1000.
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25)
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261127)

/** Central's business tables and HQ's own records of people, devices and decisions. */
const BUSINESS = [
  'branches',
  'staff',
  'customers',
  'tokens',
  'inventory',
  'requests',
  'receipts',
  'day_closes',
  'clients',
  'enrollment_codes',
  'hq_completions',
  'device_events',
  'hq_staff',
]

interface EndpointFigures {
  endpoint: string
  tried: number
  reachedService: number
  succeeded: number
  statuses: Record<string, number>
  codes: Record<string, number>
}

let central: ConsoleCentral
const sessions = {} as Record<HqRole, ConsoleClient>
let changes: () => Promise<number>
const figures: EndpointFigures[] = []
const bank = generateDemoBank()

async function installChangeCounter(db: Knex): Promise<() => Promise<number>> {
  await db.raw('CREATE TABLE fuzz_changes (n INTEGER NOT NULL)')
  await db.raw('INSERT INTO fuzz_changes (n) VALUES (0)')
  for (const table of BUSINESS)
    for (const op of ['INSERT', 'UPDATE', 'DELETE'])
      await db.raw(
        `CREATE TRIGGER fuzz_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN UPDATE fuzz_changes SET n = n + 1; END`,
      )
  return async () => Number((await db('fuzz_changes').first()).n)
}

beforeAll(async () => {
  central = await startConsoleCentral({ clock: testClock(new Date('2026-11-25T01:00:00Z')) })
  await central.hq.addBranch('002', '駅前支店')
  for (const [role, staffId] of [
    ['hq_operator', 'HQ001'],
    ['hq_supervisor', 'HQ101'],
    ['hq_admin', 'HQ901'],
  ] as const)
    sessions[role] = await new ConsoleClient(central.url).signIn(staffId, central.clock.now)
  await branchRevocations(12)
  changes = await installChangeCounter(central.db)
})

/**
 * Revocations a branch supervisor approved, pushed by a real PC of branch 001 as a branch would: so the
 * queue's endpoints (complete, prepare, approve, reject) find real requests waiting for HQ.
 */
async function branchRevocations(count: number): Promise<void> {
  const code = await createEnrollmentCode(central.db, '001', central.clock.now)
  const post = async (path: string, body: unknown, authorization?: string) =>
    (await fetch(`${central.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json())) as Record<string, unknown>
  const pc = (await post('/v1/enroll', {
    branchCode: '001',
    enrollmentCode: code,
    workstationName: 'fuzz',
  })) as {
    clientId: string
    secret: string
  }
  const customers = await central
    .db('customers')
    .where({ otp_status: 'in_use', branch_code: '001' })
    .orderBy('cif')
    .limit(count)
    .pluck('cif')
  const mutations = customers.flatMap((cif: string, i: number) => {
    const requestId = randomUUID()
    const at = central.clock.now.toISOString()
    return [
      {
        id: 2 * i + 1,
        name: 'revocation.request',
        args: {
          requestId,
          cif,
          tokenUid: null,
          channel: 'in_person',
          reason: 'unneeded',
          identity: { kind: 'passport', last4: '1234' },
        },
        createdAt: at,
        actor: 'T001',
      },
      {
        id: 2 * i + 2,
        name: 'revocation.approve',
        args: { requestId, checker: 'S001' },
        createdAt: at,
        actor: 'T001',
      },
    ]
  })
  const answer = await post(
    '/v1/sync/push',
    { clientId: pc.clientId, schemaVersion: SCHEMA_VERSION, mutations },
    `Bearer ${pc.clientId}.${pc.secret}`,
  )
  const results = answer['results'] as { status: string }[]
  expect(results.filter((r) => r.status === 'applied')).toHaveLength(mutations.length)
}
afterAll(async () => {
  await central.close()
  if (process.env['FUZZ_REPORT']) {
    const file = process.env['FUZZ_REPORT'].replace(/\.json$/, '-console.json')
    mkdirSync('.tmp', { recursive: true })
    writeFileSync(file, JSON.stringify({ runs: RUNS, seed: SEED, figures }, null, 2))
  }
})

const cifs = bank.customers.map((c) => c.cif)
const serials = bank.stock.map((s) => s.serial)
const requestIds = () => central.db('requests').pluck('id') as Promise<string[]>

/**
 * Field hints: real records, so that inputs of the right shape also reach the services. The people
 * whose sessions the fuzzer uses (HQ001, HQ101, HQ901) are never named as targets of HQ staff changes
 * or sign-in, so one lucky input cannot end the run's sessions.
 */
const hints: Hints = {
  branch: fc.constantFrom('001', '002', '999', ''),
  code: fc.oneof(
    fc.constantFrom('001', '002', '003', '999'),
    fc.constant(null).map(() => hqCode(central.clock.now)),
    fc.stringMatching(/^\d{6}$/),
  ),
  staffId: fc.oneof(
    fc.constantFrom('HQ002', 'HQ999', 'T001', 'T901', 'S001', 'Z123'),
    fc.string({ maxLength: 12 }),
  ),
  password: fc.oneof(
    fc.constantFrom('demo-HQ002', 'wrong-password', 'a-long-enough-pass-1'),
    fc.string({ maxLength: 30 }),
  ),
  id: fc.oneof(
    fc.constantFrom('T001', 'T002', 'S001', 'A001', 'HQ002', 'HQ999', 'Z9999'),
    fc.uuid({ version: 4 }),
    fc.string({ minLength: 1, maxLength: 20 }),
  ),
  serial: fc.oneof(fc.constantFrom(...serials.slice(0, 20)), fc.string({ minLength: 1, maxLength: 20 })),
  serials: fc.array(fc.oneof(fc.constantFrom(...serials), fc.string({ minLength: 1, maxLength: 12 })), {
    maxLength: 3,
  }),
  clientId: fc.oneof(fc.constantFrom('ws-001-none', 'ws-999-x'), fc.string({ minLength: 1, maxLength: 20 })),
  actor: fc.constantFrom('HQ001', 'HQ901', 'cli', ''),
  action: fc.constantFrom('hq_staff.locked', 'revocation.complete', ''),
  entityKey: fc.oneof(fc.constantFrom(...cifs.slice(0, 5)), fc.constant('')),
  page: fc.oneof(fc.constantFrom('1', '2', '0', '-1', '1e308', 'abc'), fc.nat(100_000).map(String)),
  csv: fc.oneof(
    fc.constant(
      'cif,name_kanji,name_kana,birth_date,phone,branch\n1234567,山田 太郎,ヤマダ タロウ,1980-01-01,0312345678,001\n',
    ),
    fc.string({ maxLength: 200 }),
  ),
  xml: fc.oneof(fc.constant('<KeyContainer Version="1.0"/>'), fc.string({ minLength: 1, maxLength: 200 })),
  count: fc.integer({ min: 1, max: 3 }),
  // Queue states and device states, and sometimes anything.
  state: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'open',
        'awaiting',
        'prepared',
        'completed',
        'rejected',
        'in_stock',
        'issued',
        '',
      ),
    },
    fc.string({ maxLength: 12 }),
  ),
}

/** Who calls: mostly a session of an allowed role; sometimes none, a forged cookie, or a role refused. */
type Caller = 'allowed' | 'none' | 'forged' | 'other-role'
const callers = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Caller>('allowed') },
  fc.constantFrom<Caller>('none', 'forged', 'other-role'),
)

function clientFor(
  caller: Caller,
  roles: readonly HqRole[] | 'public' | 'session',
  pick: number,
): ConsoleClient {
  const anonymous = new ConsoleClient(central.url)
  if (caller === 'none') return anonymous
  if (caller === 'forged') {
    anonymous.cookie = `td_hq_session=${'A'.repeat(43)}`
    anonymous.csrfToken = 'B'.repeat(43)
    return anonymous
  }
  const allowed = roles === 'public' || roles === 'session' ? HQ_ROLES : roles
  const pool = caller === 'allowed' ? allowed : HQ_ROLES.filter((r) => !allowed.includes(r))
  if (!pool.length) return anonymous
  return sessions[pool[pick % pool.length]!]
}

/** A session made for one call that ends or replaces it (logout, authenticator enrolment). */
async function throwawaySession(stage: 'signed_in' | 'totp_enrolment') {
  const pending = stage === 'totp_enrolment' ? authenticator.generateSecret(20) : null
  const made = await createSession(central.db, central.secretBox, 'HQ002', stage, pending, central.clock.now)
  const client = new ConsoleClient(central.url)
  client.cookie = `td_hq_session=${made.token}`
  client.csrfToken = made.csrfToken
  return { client, pending }
}

const asObject = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null

function pathWith(url: string, params: unknown): string {
  const values = asObject(params) ?? {}
  return url
    .replace('/console/api', '')
    .replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(values[name] ?? '')))
}

function queryString(query: unknown): string {
  const values = asObject(query)
  if (!values) return query === undefined ? '' : `?${encodeURIComponent(String(query))}`
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(values)) {
    if (Array.isArray(v)) for (const item of v) search.append(k, String(item))
    else if (v !== undefined) search.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

const EMPTY = z.object({})

/** Polls a background import until it is done or refused (a failed job answers its error once). */
async function importFinished(client: ConsoleClient, jobId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const view = await client.get<{ state?: string }>(`/customers/import-jobs/${jobId}`)
    expect(view.status, JSON.stringify(view.body)).toBeLessThan(500)
    if (view.status !== 200 || view.body.state === 'done') return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`import ${jobId} did not finish`)
}

/** The query as central reads it back from the URL: a repeated key is a list. */
function asSent(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(search)) {
    const had = out[k]
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v]
  }
  return out
}

describe(`every HQ console endpoint over HTTP, ${RUNS} fuzz requests each`, () => {
  it('fuzzes every endpoint central serves: one declared input each', () => {
    const served = CONSOLE_ENDPOINTS.map((e) => `${e.method} ${e.url.replace('/console/api', '')}`).sort()
    expect(served).toEqual(Object.keys(CONSOLE_INPUTS).sort())
  })

  // The endpoints are registered when central is built (beforeAll); their names come from inputs.ts.
  for (const route of Object.keys(CONSOLE_INPUTS)) {
    const [method, path] = route.split(' ') as ['GET' | 'POST', string]
    const name = `${method} /console/api${path}`
    it(
      name,
      async () => {
        const endpoint = CONSOLE_ENDPOINTS.find(
          (e) => e.method === method && e.url === `/console/api${path}`,
        )!
        const input = endpoint.input ?? {}
        const f: EndpointFigures = {
          endpoint: name,
          tried: 0,
          reachedService: 0,
          succeeded: 0,
          statuses: {},
          codes: {},
        }
        figures.push(f)
        const ids = await requestIds()
        const localHints: Hints = {
          ...hints,
          id: fc.oneof(hints['id']!, ...(ids.length ? [fc.constantFrom(...ids)] : [])),
        }
        const arbitrary = fc.record({
          params: input.params ? fuzzInput(input.params, localHints) : fc.constant({}),
          query: input.query ? fuzzInput(input.query, localHints) : fc.constant(undefined),
          body: fuzzInput(input.body ?? EMPTY, localHints),
          caller: callers,
          pick: fc.nat(5),
        })
        await fc.assert(
          fc.asyncProperty(arbitrary, async ({ params, query, body, caller, pick }) => {
            let client = clientFor(caller, endpoint.roles, pick)
            let bodyToSend = body
            // Logout ends the session it is sent with, enrolment needs one still enrolling: a fresh one each time.
            if (caller === 'allowed' && name.endsWith('/logout'))
              client = (await throwawaySession('signed_in')).client
            if (caller === 'allowed' && name.endsWith('/login/totp')) {
              const made = await throwawaySession('totp_enrolment')
              client = made.client
              if (pick < 3 && asObject(body))
                bodyToSend = { ...asObject(body), code: hqCode(central.clock.now, made.pending!) }
            }
            const path = pathWith(endpoint.url, params) + queryString(query)
            const shapeOk =
              (!input.params || input.params.safeParse(params).success) &&
              (!input.query || input.query.safeParse(asSent(queryString(query))).success) &&
              (!input.body || endpoint.method === 'GET' || input.body.safeParse(bodyToSend).success)
            const mayCall = caller === 'allowed' || endpoint.roles === 'public'
            const before = await changes()
            const res = await client.call(
              endpoint.method,
              path,
              endpoint.method === 'POST' ? bodyToSend : undefined,
            )
            const after = await changes()
            f.tried++
            if (mayCall && shapeOk) f.reachedService++
            f.statuses[res.status] = (f.statuses[res.status] ?? 0) + 1
            expect(res.status, `${name} ${path} ${JSON.stringify(bodyToSend)?.slice(0, 300)}`).toBeLessThan(
              500,
            )
            if (res.status >= 200 && res.status < 300) {
              f.succeeded++
              // A background import writes after its answer: wait for it, so the next input's check holds.
              const jobId = (res.body as { jobId?: string }).jobId
              if (jobId) await importFinished(client, jobId)
              return
            }
            expect(res.body).toMatchObject({ error: { code: expect.any(String) } })
            const code = res.body.error!.code
            f.codes[code] = (f.codes[code] ?? 0) + 1
            // A refusal changes nothing, except what a wrong sign-in counts towards the lock (DOMAIN.md).
            const counts = name.endsWith('/login') || name.endsWith('/login/totp')
            if (!counts) expect(after, `${name} ${res.status} ${code} changed business rows`).toBe(before)
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        )
        expect(f.tried).toBe(RUNS)
      },
      RUNS * 800 + 60_000,
    )
  }

  it('central is still up and its sessions still answer', async () => {
    expect((await fetch(`${central.url}/health`)).status).toBe(200)
    for (const role of HQ_ROLES) expect((await sessions[role].get('/session')).status).toBe(200)
  })

  it('most requests reached a service', () => {
    const tried = figures.reduce((n, f) => n + f.tried, 0)
    const reached = figures.reduce((n, f) => n + f.reachedService, 0)
    console.log(`[console-fuzz] ${figures.length} endpoints, ${tried} requests, ${reached} reached a service`)
    expect(reached / tried).toBeGreaterThan(0.5)
  })
})
