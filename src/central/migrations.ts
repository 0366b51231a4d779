import type { Knex } from 'knex'
import { m003HqConsole } from './console/schema'

/** Central's schema; the same on SQLite and PostgreSQL. Every synced row carries the version it changed at. */
const m001: Knex.Migration = {
  async up(db) {
    await db.schema.createTable('meta', (t) => {
      t.string('key').primary()
      t.bigInteger('value').notNullable()
    })
    await db('meta').insert({ key: 'version', value: 0 })
    await db.schema.createTable('branches', (t) => {
      t.string('code', 3).primary()
      t.string('name').notNullable()
      t.bigInteger('version').notNullable()
    })
    await db.schema.createTable('enrollment_codes', (t) => {
      t.string('code_hash').primary()
      t.string('branch_code', 3).notNullable().references('branches.code')
      t.string('expires_at').notNullable()
      t.string('used_at')
    })
    await db.schema.createTable('clients', (t) => {
      t.string('client_id').primary()
      t.string('branch_code', 3).notNullable().references('branches.code')
      t.string('workstation_name').notNullable()
      t.string('secret_hash').notNullable()
      t.bigInteger('last_mutation_id').notNullable().defaultTo(0)
      t.string('created_at').notNullable()
    })
    await db.schema.createTable('staff', (t) => {
      t.string('staff_id').primary()
      t.string('branch_code', 3).notNullable().references('branches.code')
      t.string('name').notNullable()
      t.string('role').notNullable()
      t.string('password_hash').notNullable()
      t.bigInteger('version').notNullable()
    })
    await db.schema.createTable('customers', (t) => {
      t.string('cif', 7).primary()
      t.string('branch_code', 3).notNullable().references('branches.code')
      t.string('name_kanji').notNullable()
      t.string('name_kana').notNullable()
      t.string('birth_date').notNullable()
      t.string('phone').notNullable()
      t.text('accounts_json').notNullable()
      t.string('otp_status').notNullable()
      t.string('status_changed_at').notNullable()
      t.bigInteger('version').notNullable()
      t.index(['branch_code', 'version'])
    })
    await db.schema.createTable('tokens', (t) => {
      t.string('uid').primary()
      t.string('cif', 7).notNullable().references('customers.cif')
      t.string('kind').notNullable()
      t.string('serial')
      t.string('state').notNullable()
      t.string('issued_at')
      t.string('activated_at')
      t.string('revoked_at')
      t.bigInteger('version').notNullable()
    })
    await db.schema.createTable('inventory', (t) => {
      t.string('serial').primary()
      t.string('branch_code', 3).references('branches.code')
      t.string('state').notNullable()
      t.string('algorithm').notNullable()
      t.integer('digits').notNullable()
      t.integer('period')
      t.bigInteger('counter').notNullable().defaultTo(0)
      t.bigInteger('last_step')
      t.text('seed_sealed')
      t.string('received_on')
      t.bigInteger('version').notNullable()
      t.index(['branch_code', 'version'])
    })
    await db.schema.createTable('requests', (t) => {
      t.string('id').primary()
      t.string('kind').notNullable()
      t.string('cif', 7).notNullable().references('customers.cif')
      t.string('branch_code', 3).notNullable()
      t.string('state').notNullable()
      t.string('maker').notNullable()
      t.string('checker')
      t.string('prev_status')
      t.string('token_uid')
      t.text('detail_json').notNullable()
      t.string('decision_reason')
      t.bigInteger('version').notNullable()
      t.index(['branch_code', 'version'])
    })
    await db.schema.createTable('receipts', (t) => {
      t.string('receipt_no').primary()
      t.string('branch_code', 3).notNullable()
      t.string('method').notNullable()
      t.integer('amount_yen').notNullable()
      t.string('staff_id').notNullable()
      t.string('voided_by')
      t.string('void_reason')
    })
    await db.schema.createTable('day_closes', (t) => {
      t.string('staff_id').notNullable()
      t.string('business_date').notNullable()
      t.integer('expected_yen').notNullable()
      t.integer('counted_yen').notNullable()
      t.string('note')
      t.string('checker').notNullable()
      t.primary(['staff_id', 'business_date'])
    })
    await db.schema.createTable('mutations', (t) => {
      t.string('client_id').notNullable()
      t.bigInteger('id').notNullable()
      t.string('name').notNullable()
      t.string('status').notNullable()
      t.string('code')
      t.string('actor').notNullable()
      t.string('client_created_at')
      t.primary(['client_id', 'id'])
    })
  },
  async down(db) {
    for (const table of [
      'mutations',
      'day_closes',
      'receipts',
      'requests',
      'inventory',
      'tokens',
      'customers',
      'staff',
      'clients',
      'enrollment_codes',
      'branches',
      'meta',
    ]) {
      await db.schema.dropTableIfExists(table)
    }
  },
}

/**
 * Issue 8: workstations numbered per branch (receipt numbers), what a PC reports when it pushes, staff
 * lifecycle and credentials that follow the person, tombstones for rows leaving a branch's view, central's
 * decision times, and the demo core-banking ledger behind 口座振替.
 */
const m002: Knex.Migration = {
  async up(db) {
    await db.schema.alterTable('clients', (t) => {
      t.string('workstation_no', 2)
      t.string('revoked_at')
      t.string('last_seen_at')
      t.string('last_push_at')
      t.integer('queue_depth')
      t.string('oldest_pending_at')
      t.string('app_version')
      t.bigInteger('audit_count')
      t.string('audit_hash')
      t.string('audit_anchored_at')
    })
    await db.schema.alterTable('staff', (t) => {
      t.boolean('active').notNullable().defaultTo(true)
      t.boolean('must_change_password').notNullable().defaultTo(false)
      t.string('password_changed_at')
      t.text('totp_secret_sealed')
      t.string('totp_enrolled_at')
    })
    await db.schema.alterTable('requests', (t) => {
      t.string('created_at')
      t.string('decided_at')
      t.index(['cif'])
    })
    await db.schema.alterTable('tokens', (t) => {
      t.index(['cif'])
    })
    await db.schema.alterTable('receipts', (t) => {
      t.string('cif', 7)
      t.string('business_date')
      t.string('debit_account')
      t.string('created_at')
    })
    // The version a mutation was answered at: a pull tells a PC of rejections whose push answer it lost.
    await db.schema.alterTable('mutations', (t) => {
      t.bigInteger('version')
    })
    await db.schema.createTable('tombstones', (t) => {
      t.increments('id')
      t.string('entity').notNullable()
      t.string('key').notNullable()
      t.string('branch_code', 3).notNullable()
      t.bigInteger('version').notNullable()
      t.index(['branch_code', 'version'])
    })
    // The demo core-banking system: balances for the demo accounts (DOMAIN.md: 口座振替).
    await db.schema.createTable('core_accounts', (t) => {
      t.string('account').primary()
      t.string('cif', 7).notNullable()
      t.bigInteger('balance_yen').notNullable()
      t.boolean('closed').notNullable().defaultTo(false)
    })
    // One debit per receipt number: a retried debit answers what the first one did.
    await db.schema.createTable('debits', (t) => {
      t.string('receipt_no').primary()
      t.string('account').notNullable()
      t.string('cif', 7).notNullable()
      t.string('branch_code', 3).notNullable()
      t.integer('amount_yen').notNullable()
      t.string('client_id').notNullable()
      t.string('debited_at').notNullable()
    })
  },
  async down(db) {
    for (const table of ['debits', 'core_accounts', 'tombstones']) await db.schema.dropTableIfExists(table)
  },
}

/**
 * Issue 11 (speed at bank scale): a pull pages by version; tokens have no branch column, so their
 * changes are found through their own version index (then joined to the customer for the branch).
 */
const m005: Knex.Migration = {
  async up(db) {
    await db.schema.alterTable('tokens', (t) => t.index(['version'], 'tokens_version_index'))
  },
  async down(db) {
    await db.schema.alterTable('tokens', (t) => t.dropIndex(['version'], 'tokens_version_index'))
  },
}

/**
 * Issue 10 (h10): central flags a branch PC's audit log that was cut short or rewritten after it was
 * anchored (src/central/auditAlerts.ts). One row per break seen; hashes are no secret.
 */
const m006AuditAlerts: Knex.Migration = {
  async up(db) {
    await db.schema.createTable('audit_alerts', (t) => {
      t.increments('id')
      t.string('client_id').notNullable()
      t.string('branch_code', 3).notNullable()
      t.string('workstation_no', 2)
      t.string('kind').notNullable()
      t.bigInteger('anchored_count').notNullable()
      t.string('anchored_hash').notNullable()
      t.string('anchored_at')
      t.bigInteger('received_count').notNullable()
      t.string('received_hash').notNullable()
      t.string('detected_at').notNullable()
      t.index(['client_id'])
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('audit_alerts')
  },
}

/**
 * Debits whose receipt never came (src/central/unmatchedDebits.ts): what HQ did about each, and when each PC
 * last sent everything it held (a push whose batch was its whole queue). And central's count of wrong
 * passwords in a person's credential changes.
 */
const m007DebitResolutions: Knex.Migration = {
  async up(db) {
    await db.schema.alterTable('clients', (t) => {
      t.string('queue_emptied_at')
    })
    // Wrong passwords central has seen in a person's credential changes, in a row (src/central/sync.ts).
    await db.schema.alterTable('staff', (t) => {
      t.integer('credential_failures').notNullable().defaultTo(0)
    })
    await db.schema.createTable('debit_resolutions', (t) => {
      t.string('receipt_no').primary().references('debits.receipt_no')
      t.string('how').notNullable()
      t.string('note', 200).notNullable()
      t.string('resolved_by').notNullable()
      t.string('resolved_at').notNullable()
    })
  },
  async down(db) {
    await db.schema.dropTableIfExists('debit_resolutions')
    await db.schema.alterTable('clients', (t) => {
      t.dropColumn('queue_emptied_at')
    })
    await db.schema.alterTable('staff', (t) => {
      t.dropColumn('credential_failures')
    })
  },
}

const MIGRATIONS: Record<string, Knex.Migration> = {
  '001_central': m001,
  '002_workstations': m002,
  '003_hq_console': m003HqConsole,
  '005_speed': m005,
  '006_h10_audit_alerts': m006AuditAlerts,
  '007_debit_resolutions': m007DebitResolutions,
}

export const centralMigrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name]!,
}
