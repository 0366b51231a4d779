import type { Knex } from 'knex'
import { kanaKey } from '../../../core/domain/kana'

/** Counter work: search keys, requests, receipts and ledger, day close, the outbox, sync state. */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('customers', (t) => {
    t.string('name_kana_key')
    t.string('phone_digits')
  })
  const customers = await db('customers').select('cif', 'name_kana', 'phone')
  for (const c of customers) {
    await db('customers')
      .where({ cif: c.cif })
      .update({ name_kana_key: kanaKey(c.name_kana), phone_digits: String(c.phone).replace(/\D/g, '') })
  }
  await db.schema.alterTable('customers', (t) => {
    t.index(['name_kana_key'])
    t.index(['phone_digits'])
  })
  await db.raw('CREATE INDEX accounts_number_index ON accounts (number)')

  await db.schema.alterTable('inventory', (t) => {
    t.integer('last_step')
  })
  await db.schema.alterTable('staff', (t) => {
    // The last TOTP step a supervisor's approval used: the same code is not accepted twice.
    t.integer('totp_last_step')
  })
  await db.schema.alterTable('tokens', (t) => {
    t.string('request_id')
  })

  // Every counter request: issuances now, revocations and suspensions later (Fineract's command source).
  await db.schema.createTable('requests', (t) => {
    t.string('id').primary()
    t.string('kind').notNullable()
    t.string('cif', 7).notNullable().references('customers.cif')
    t.integer('token_id').references('tokens.id')
    t.string('state').notNullable()
    t.string('maker').notNullable()
    t.string('checker')
    t.string('identity_kind')
    t.string('identity_last4')
    t.text('detail_json')
    t.string('created_at').notNullable()
    t.string('updated_at').notNullable()
    t.index(['cif'])
    t.index(['state'])
  })

  await db.schema.createTable('receipts', (t) => {
    t.string('receipt_no').primary()
    t.string('branch_code', 3).notNullable()
    t.string('business_date').notNullable()
    t.integer('seq').notNullable()
    t.string('staff_id').notNullable()
    t.string('cif', 7).notNullable().references('customers.cif')
    t.string('request_id').references('requests.id')
    t.string('serial')
    t.string('method').notNullable().checkIn(['cash', 'account_debit', 'waiver'])
    t.integer('amount_yen').notNullable()
    t.integer('tax_yen').notNullable()
    t.integer('tendered_yen')
    t.integer('change_yen')
    t.string('debit_account')
    t.string('waived_by')
    t.string('waiver_reason')
    t.string('created_at').notNullable()
    t.unique(['branch_code', 'business_date', 'seq'])
    t.index(['staff_id', 'business_date'])
  })
  await db.raw(
    `CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts BEGIN SELECT RAISE(ABORT, 'receipts are never edited'); END`,
  )
  await db.raw(
    `CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts BEGIN SELECT RAISE(ABORT, 'receipts are never deleted'); END`,
  )

  // Money movements per teller and business date: a fee adds, a void adds a negative entry.
  await db.schema.createTable('ledger_entries', (t) => {
    t.increments('id')
    t.string('receipt_no').notNullable().references('receipts.receipt_no')
    t.string('kind').notNullable().checkIn(['fee', 'void'])
    t.string('staff_id').notNullable()
    t.string('business_date').notNullable()
    t.string('method').notNullable()
    t.integer('amount_yen').notNullable()
    t.integer('cash_yen').notNullable()
    t.string('reason')
    t.string('checker')
    t.string('created_at').notNullable()
    t.index(['staff_id', 'business_date'])
  })
  await db.raw(
    "CREATE UNIQUE INDEX ledger_one_void_per_receipt ON ledger_entries (receipt_no) WHERE kind = 'void'",
  )

  await db.schema.createTable('day_closes', (t) => {
    t.string('staff_id').notNullable()
    t.string('business_date').notNullable()
    t.integer('expected_yen').notNullable()
    t.integer('counted_yen').notNullable()
    t.integer('difference_yen').notNullable()
    t.string('note')
    t.string('checker').notNullable()
    t.string('closed_at').notNullable()
    t.primary(['staff_id', 'business_date'])
  })

  // SYNC-PROTOCOL.md: mutation ids numbered without gaps per workstation. AUTOINCREMENT never reuses an
  // id, and a rolled-back insert does not consume one, so ids stay gapless.
  await db.raw(`CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    args_json TEXT NOT NULL,
    actor TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  )`)

  await db.schema.createTable('sync_state', (t) => {
    t.integer('id').primary()
    t.string('last_success_at')
    t.string('cookie')
  })
  await db('sync_state').insert({ id: 1, last_success_at: null, cookie: null })
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['sync_state', 'outbox', 'day_closes', 'ledger_entries', 'receipts', 'requests']) {
    await db.schema.dropTableIfExists(table)
  }
}
