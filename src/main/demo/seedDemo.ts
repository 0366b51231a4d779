import type { Knex } from 'knex'
import type { Clock } from '../clock'
import { kanaKey } from '../../core/domain/kana'
import { hashPassword } from '../../core/security/passwords'
import type { SecretBox } from '../../core/security/secretBox'
import type { AuditLog } from '../services/audit'
import {
  customerTokenRows,
  demoBranchStream,
  generateDemoBank,
  handedOverInventoryRows,
  stockInventoryRows,
  type DemoBank,
  type DemoCustomer,
  type DemoStockToken,
} from '../../core/demo/generator'

/** Rows per INSERT while seeding: few statements, well under SQLite's limit on bound values. */
const CHUNK = 1000

type SeedDeps = { clock: Clock; audit: AuditLog; secretBox: SecretBox }
type DemoParts = Omit<DemoBank, 'customers' | 'stock'> & {
  customers: Iterable<DemoCustomer>
  stock: () => DemoStockToken[]
}

/** Writes the demo bank into an empty database, in one transaction. Refuses a database that has staff. */
export async function seedDemo(
  db: Knex,
  deps: SeedDeps,
  bank: DemoBank = generateDemoBank(),
): Promise<boolean> {
  return seedDemoParts(db, deps, { ...bank, stock: () => bank.stock })
}

/**
 * A bank-sized demo branch (a million customers and more): the customers are generated and written a
 * chunk at a time, so memory stays flat whatever the size. Same data as seedDemo for the same count.
 */
export async function seedDemoAtScale(db: Knex, deps: SeedDeps, customers: number): Promise<boolean> {
  return seedDemoParts(db, deps, demoBranchStream({ customers }))
}

async function seedDemoParts(db: Knex, deps: SeedDeps, bank: DemoParts): Promise<boolean> {
  const existing = await db('staff').count<{ n: number }[]>({ n: '*' })
  if (Number(existing[0]?.n) > 0) return false
  const now = deps.clock.now().toISOString()
  const hashes = await Promise.all(bank.staff.map((s) => hashPassword(s.password)))

  await db.transaction(async (trx) => {
    await trx('branches').insert(bank.branch)
    await trx('settings').insert({ key: 'bank_name', value: bank.bankName })
    await trx('staff').insert(
      bank.staff.map((s, i) => ({
        staff_id: s.staffId,
        branch_code: bank.branch.code,
        name: s.name,
        role: s.role,
        password_hash: hashes[i],
        // Demo supervisors come with an authenticator already enrolled (README lists the key).
        totp_secret_sealed: s.totpSecret
          ? deps.secretBox.seal(Buffer.from(s.totpSecret, 'utf8'), `totp:${s.staffId}`)
          : null,
        totp_enrolled_at: s.totpSecret ? now : null,
        updated_at: now,
      })),
    )
    let count = 0
    let chunk: DemoCustomer[] = []
    const flush = async () => {
      await insertCustomers(trx, chunk, count - chunk.length, bank.branch.code, now)
      chunk = []
    }
    for (const c of bank.customers) {
      chunk.push(c)
      count++
      if (chunk.length === CHUNK) await flush()
    }
    await flush()
    const stock = bank.stock()
    const inventory = stockInventoryRows(stock, bank.branch.code, (seed, serial) =>
      deps.secretBox.seal(seed, `seed:${serial}`),
    ).map((row) => ({ ...row, updated_at: now }))
    await trx.batchInsert('inventory', inventory, 200).transacting(trx)
    await deps.audit.append(trx, {
      actor: 'system',
      action: 'demo.seed',
      entity: 'branch',
      entityKey: bank.branch.code,
      after: { customers: count, stock: stock.length, staff: bank.staff.length },
    })
  })
  return true
}

/** One chunk of customers with their accounts, tokens and handed-over hard tokens. */
async function insertCustomers(
  trx: Knex.Transaction,
  customers: DemoCustomer[],
  firstIndex: number,
  branchCode: string,
  now: string,
): Promise<void> {
  if (!customers.length) return
  const rows = customers.map((c) => ({
    cif: c.cif,
    name_kanji: c.nameKanji,
    name_kana: c.nameKana,
    birth_date: c.birthDate,
    phone: c.phone,
    home_branch: c.homeBranch,
    name_kana_key: kanaKey(c.nameKana),
    phone_digits: c.phone.replace(/\D/g, ''),
    otp_status: c.otpStatus,
    status_changed_at: c.statusChangedAt,
    updated_at: now,
  }))
  await insertRows(trx, 'customers', rows)
  const accounts = customers.flatMap((c) =>
    c.accounts.map((a) => ({ cif: c.cif, branch_code: a.branchCode, subject: a.subject, number: a.number })),
  )
  await insertRows(trx, 'accounts', accounts)
  // Token uids match the central demo bank (`npm run central -- demo`), so both sides name them alike.
  const tokens = customers.flatMap((c, i) => customerTokenRows(c, firstIndex + i))
  await insertRows(trx, 'tokens', tokens)
  const handedOver = handedOverInventoryRows(tokens, branchCode).map((row) => ({ ...row, updated_at: now }))
  await insertRows(trx, 'inventory', handedOver)
}

/**
 * A plain multi-row INSERT … VALUES (SQLite and PostgreSQL): knex's SQLite batch insert builds a
 * compound SELECT, which SQLite caps at 500 terms and which costs more to build than the rows to write.
 */
export async function insertRows(trx: Knex, table: string, rows: Record<string, unknown>[]) {
  if (!rows.length) return
  const columns = Object.keys(rows[0]!)
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length))
  const tuple = `(${columns.map(() => '?').join(',')})`
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement)
    const sql = `INSERT INTO ${table} (${columns.join(',')}) VALUES ${part.map(() => tuple).join(',')}`
    await trx.raw(
      sql,
      part.flatMap((r) => columns.map((c) => (r[c] ?? null) as Knex.Value)),
    )
  }
}
