import fc from 'fast-check'
import { isAbsolute, join } from 'node:path'
import type { Knex } from 'knex'
import { authenticator } from 'otplib'
import { channels, type Access, type ChannelName } from '../../src/shared/contract'
import type { Role } from '../../src/shared/domain'
import { ERROR_CODES } from '../../src/shared/errors'
import { DEMO_STAFF, DEMO_SUPERVISOR_TOTP, generateDemoBank } from '../../src/core/demo/generator'
import { createHandlers } from '../../src/main/ipc/handlers'
import type { TempApp } from '../support/tempApp'
import { knownSecrets, secretsIn } from '../support/knownSecrets'
import { fuzzInput, type Hints } from './zodArbitrary'

const SECRETS = knownSecrets()

/** Tables that hold the bank's records: they may change only when a call succeeds. */
export const BUSINESS_TABLES = [
  'branches',
  'customers',
  'accounts',
  'inventory',
  'tokens',
  'settings',
  'requests',
  'receipts',
  'ledger_entries',
  'day_closes',
  'outbox',
  'sync_problems',
]

/**
 * Counts every row written to a business table, with triggers on the test's own database file: a call
 * that fails must leave the count where it was. (Failed logins and approvals legitimately write the
 * staff counters, the approval lock and the audit; those tables are not in the list.)
 */
export interface FuzzBench {
  /** Rows written to business tables so far. */
  changes(): Promise<number>
  /** The staff rows as seeded, to put back when the fuzzer locked or re-passworded an account. */
  staff: Record<string, unknown>[]
}

export async function prepareFuzz(db: Knex): Promise<FuzzBench> {
  const staff = await db('staff').select('*')
  return { changes: await installChangeCounter(db), staff }
}

async function installChangeCounter(db: Knex): Promise<() => Promise<number>> {
  await db.raw('CREATE TABLE fuzz_changes (n INTEGER NOT NULL)')
  await db.raw('INSERT INTO fuzz_changes (n) VALUES (0)')
  for (const table of BUSINESS_TABLES) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      await db.raw(
        `CREATE TRIGGER fuzz_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN UPDATE fuzz_changes SET n = n + 1; END`,
      )
    }
  }
  return async () => Number((await db('fuzz_changes').first()).n)
}

export interface ChannelFigures {
  channel: string
  tried: number
  reachedService: number
  succeeded: number
  errorCodes: Record<string, number>
}

const bank = generateDemoBank()

function rolesFor(access: Access): (Role | null)[] {
  if (access === 'public') return [null]
  if (access === 'any') return ['teller', 'supervisor', 'admin']
  return [...access]
}

const LOGIN: Record<Role, string> = { teller: 'T001', supervisor: 'S001', admin: 'A001' }

/** Realistic values for fields by name, so most inputs name records that exist. */
function hintsFor(app: TempApp, pools: { requestIds: string[]; receiptNos: string[] }): Hints {
  const cifs = bank.customers.map((c) => c.cif)
  // Pools grow as the fuzzer creates records; an empty pool falls back to a made-up value.
  const pick = <T>(pool: T[], fallback: fc.Arbitrary<T>) =>
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.tuple(fc.nat(), fallback).map(([i, f]) => (pool.length ? pool[i % pool.length]! : f)),
      },
      fallback,
    )
  const realDate = fc
    .date({
      min: new Date('2025-01-01T00:00:00Z'),
      max: new Date('2026-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10))
  const dates = fc.oneof(fc.constantFrom('2026-11-25', '2026-11-24', '2026-11-20'), realDate)
  const customers = bank.customers
  return {
    cif: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...cifs) },
      { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{7}$/) },
    ),
    staffId: fc.constantFrom('T001', 'T002', 'S001', 'A001', 'S999', 'T001'),
    password: fc.oneof(
      fc.constantFrom(...DEMO_STAFF.map((s) => s.password)),
      fc.string({ minLength: 1, maxLength: 20 }),
    ),
    currentPassword: fc.string({ minLength: 1, maxLength: 12 }),
    // Backup folders inside the test's own folder, or relative ones (refused): never anywhere else on disk.
    backupFolder: fc.oneof(
      fc.stringMatching(/^[a-z0-9]{1,12}$/).map((name) => join(app.dir, 'fuzz-backups', name)),
      fc.string({ minLength: 1, maxLength: 20 }).filter((text) => !isAbsolute(text.trim())),
    ),
    serial: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...bank.stock.map((s) => s.serial)) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Z0-9-]{4,12}$/) },
    ),
    requestId: pick(pools.requestIds, fc.uuid()),
    receiptNo: pick(pools.receiptNos, fc.stringMatching(/^001-2026112[0-9]-000[0-9]$/)),
    businessDate: dates,
    receivedOn: dates,
    from: dates,
    to: dates,
    // What a teller types into the search box: a CIF, a phone number, a kana name, an account, or noise.
    query: fc.oneof(
      fc.constantFrom(...customers.slice(0, 200).map((c) => c.cif)),
      fc.constantFrom(...customers.slice(0, 200).map((c) => c.phone)),
      fc.constantFrom(...customers.slice(0, 200).map((c) => c.nameKana.split(/\s/)[0]!)),
      fc.constantFrom(...customers.slice(0, 200).flatMap((c) => c.accounts.map((a) => a.number))),
      fc.string({ minLength: 1, maxLength: 40 }),
    ),
    // A real approval (the code the supervisor's app shows at the desk's clock) or a wrong one.
    approval: fc.oneof(
      fc.constant(null).map(() => ({
        staffId: 'S001',
        password: 'demo-S001',
        totp: authenticator.clone({ epoch: app.clock.now().getTime() }).generate(DEMO_SUPERVISOR_TOTP),
      })),
      fc.record({
        staffId: fc.constantFrom('S001', 'T002', 'A001'),
        password: fc.constantFrom('demo-S001', 'wrong'),
        totp: fc.stringMatching(/^[0-9]{6}$/),
      }),
    ),
  }
}

/**
 * Drives one channel with `runs` fuzz inputs through the real handler table on the app's SQLite file,
 * with a real session of an allowed role. Every answer must be a success or a typed error (never
 * INTERNAL), and a failed call must leave the business tables as they were.
 */
export async function fuzzChannel(
  app: TempApp,
  name: ChannelName,
  runs: number,
  bench: FuzzBench,
  seed: number,
): Promise<ChannelFigures> {
  const { changes, staff: originals } = bench
  const spec = channels[name]
  const internal: string[] = []
  const invoke = createHandlers(
    {
      state: 'ready',
      services: app.services,
      close: async () => {},
      integrityChecked: Promise.resolve('ok'),
    },
    (channel, e) => internal.push(`${channel}: ${(e as Error).name}`),
  )
  const pools = {
    requestIds: await app.services.db('requests').pluck('id'),
    receiptNos: await app.services.db('receipts').pluck('receipt_no'),
  }
  const figures: ChannelFigures = { channel: name, tried: 0, reachedService: 0, succeeded: 0, errorCodes: {} }
  const roles = rolesFor(spec.access)

  const ensureSession = async (role: Role | null): Promise<string> => {
    if (role === null) return 'fuzz-anonymous'
    const key = `fuzz-${role}`
    const s = app.services.sessions.get(key)
    if (s && !s.locked && s.role === role) return key
    // The fuzzer may have changed the password, locked the account or logged out: put the staff rows
    // back as they were and log in again.
    for (const row of originals) await app.services.db('staff').where({ staff_id: row.staff_id }).update(row)
    await app.services.db('approval_locks').delete()
    app.services.sessions.delete(key)
    const login = await invoke(key, 'auth.login', {
      staffId: LOGIN[role],
      password: `demo-${LOGIN[role]}`,
    })
    if (!login.ok) throw new Error(`the fuzzer could not log in as ${role}: ${JSON.stringify(login)}`)
    return key
  }

  await fc.assert(
    fc.asyncProperty(fuzzInput(spec.input, hintsFor(app, pools)), fc.nat(), async (input, which) => {
      const role = roles[which % roles.length]!
      // Time moves on, so each real approval code is a fresh one (a used code is refused as a replay).
      app.clock.advance(31_000)
      const key = await ensureSession(role)
      // The fuzzer is busy, not idle: the idle lock would otherwise end every session it holds.
      const held = app.services.sessions.get(key)
      if (held) app.services.auth.markActive(held)
      const before = await changes()
      const shapeOk = spec.input.safeParse(input ?? {}).success
      const result = await invoke(key, name, input)
      const after = await changes()
      figures.tried++
      if (shapeOk) figures.reachedService++
      if (result.ok) {
        figures.succeeded++
        const value = (
          result as { value?: { requestId?: string; id?: string; receipt?: { receiptNo?: string } } }
        ).value
        if (value?.id && typeof value.id === 'string') pools.requestIds.push(value.id)
        if (value?.requestId) pools.requestIds.push(value.requestId)
        if (value?.receipt?.receiptNo) pools.receiptNos.push(value.receipt.receiptNo)
      } else {
        const code = result.error.code
        figures.errorCodes[code] = (figures.errorCodes[code] ?? 0) + 1
        if (!(ERROR_CODES as readonly string[]).includes(code)) throw new Error(`untyped error ${code}`)
        if (code === 'INTERNAL') throw new Error(`INTERNAL on ${name}: ${internal.join('; ')}`)
        // No error message or field note may repeat a password, a TOTP key or a seed (inputs carry them).
        const leaked = secretsIn(JSON.stringify(result.error), SECRETS)
        if (leaked.length) throw new Error(`${name}'s error message carries ${leaked.join(', ')}`)
        if (after !== before)
          throw new Error(`${name} failed with ${code} but changed ${after - before} business rows`)
      }
      if (!shapeOk && result.ok) throw new Error(`${name} accepted an input its schema refuses`)
    }),
    { numRuns: runs, seed, endOnFailure: true },
  )
  return figures
}
