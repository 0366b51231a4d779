import type { Knex } from 'knex'

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('branches', (t) => {
    t.string('code', 3).primary()
    t.string('name').notNullable()
  })

  await db.schema.createTable('staff', (t) => {
    t.string('staff_id').primary()
    t.string('branch_code', 3).notNullable().references('branches.code')
    t.string('name').notNullable()
    t.string('role').notNullable().checkIn(['teller', 'supervisor', 'admin'])
    t.string('password_hash').notNullable()
    t.integer('failed_logins').notNullable().defaultTo(0)
    t.string('locked_until')
    // The supervisor's TOTP secret for approvals, sealed with the workstation key (never stored plain).
    t.string('totp_secret_sealed')
    t.string('totp_enrolled_at')
    t.string('updated_at').notNullable()
  })

  await db.schema.createTable('customers', (t) => {
    t.string('cif', 7).primary()
    t.string('name_kanji').notNullable()
    t.string('name_kana').notNullable()
    t.string('birth_date').notNullable()
    t.string('phone').notNullable()
    t.string('home_branch', 3).notNullable()
    t.string('otp_status')
      .notNullable()
      .checkIn([
        'not_applied',
        'declined',
        'token_issued',
        'in_use',
        'suspended',
        'revocation_pending',
        'revoked',
      ])
    t.string('status_changed_at').notNullable()
    t.string('updated_at').notNullable()
  })

  await db.schema.createTable('accounts', (t) => {
    t.increments('id')
    t.string('cif', 7).notNullable().references('customers.cif')
    t.string('branch_code', 3).notNullable()
    t.string('subject').notNullable().checkIn(['futsu', 'toza', 'chochiku'])
    t.string('number', 7).notNullable()
    t.unique(['branch_code', 'subject', 'number'])
    t.index(['cif'])
  })

  await db.schema.createTable('inventory', (t) => {
    t.string('serial').primary()
    t.string('branch_code', 3).notNullable().references('branches.code')
    t.string('state').notNullable().checkIn(['in_stock', 'issued', 'active', 'revoked', 'defective'])
    t.string('algorithm').notNullable().checkIn(['hotp', 'totp'])
    t.integer('digits').notNullable()
    t.integer('period')
    t.integer('counter').notNullable().defaultTo(0)
    // AES-256-GCM sealed seed; null once the issuance is synced and the seed deleted.
    t.string('seed_sealed')
    t.string('received_on').notNullable()
    t.string('updated_at').notNullable()
  })

  await db.schema.createTable('tokens', (t) => {
    t.increments('id')
    t.string('cif', 7).notNullable().references('customers.cif')
    t.string('kind').notNullable().checkIn(['soft', 'hard'])
    t.string('serial')
    t.string('state').notNullable().checkIn(['in_stock', 'issued', 'active', 'revoked', 'defective'])
    t.string('issued_at')
    t.string('activated_at')
    t.string('revoked_at')
    t.index(['cif'])
  })

  await db.schema.createTable('settings', (t) => {
    t.string('key').primary()
    t.string('value').notNullable()
  })

  // Hash-chained and append-only: triggers refuse UPDATE and DELETE.
  await db.schema.createTable('audit', (t) => {
    t.increments('id')
    t.string('at').notNullable()
    t.string('actor').notNullable()
    t.string('action').notNullable()
    t.string('entity').notNullable()
    t.string('entity_key').notNullable()
    t.text('before_json')
    t.text('after_json')
    t.string('prev_hash').notNullable()
    t.string('hash').notNullable()
    t.index(['entity', 'entity_key'])
  })
  await db.raw(
    `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit rows are never updated'); END`,
  )
  await db.raw(
    `CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END`,
  )
}

export async function down(db: Knex): Promise<void> {
  for (const table of [
    'audit',
    'settings',
    'tokens',
    'inventory',
    'accounts',
    'customers',
    'staff',
    'branches',
  ]) {
    await db.schema.dropTableIfExists(table)
  }
}
