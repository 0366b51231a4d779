import type { Knex } from 'knex'

/**
 * Issue 8: the PC's workstation number (receipt numbers `{branch}-{ws}-{yyyymmdd}-{seq4}`), the outbox's
 * customer (so a customer's mutations keep their order when a suspension goes first), what each pending
 * mutation changed (the rebase undoes and re-applies it over every pull), token references by the id
 * central knows, and credentials that follow the person.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('sync_state', (t) => {
    t.string('workstation_no')
    t.string('workstation_name')
    // A new PC's first pull: how far it got, for the setup screen's progress bar.
    t.integer('bootstrap_done')
    t.integer('bootstrap_total')
  })
  await db.schema.alterTable('outbox', (t) => {
    t.string('cif')
    // The code a pending mutation's re-application gave at the last rebase (central will most likely refuse it).
    t.string('rebase_code')
  })
  await db.raw('CREATE INDEX outbox_cif_index ON outbox (cif)')
  await db.raw(`CREATE TABLE rebase_undo (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id INTEGER NOT NULL,
    tbl TEXT NOT NULL,
    key_json TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
  )`)
  await db.raw('CREATE INDEX rebase_undo_outbox_index ON rebase_undo (outbox_id)')
  await db.schema.alterTable('requests', (t) => {
    t.string('token_uid')
  })
  await db.raw('UPDATE requests SET token_uid = (SELECT uid FROM tokens WHERE tokens.id = requests.token_id)')
  await db.raw('CREATE INDEX tokens_cif_state_index ON tokens (cif, state)')
  await db.schema.alterTable('staff', (t) => {
    t.boolean('must_change_password').notNullable().defaultTo(false)
  })
  // 口座振替: a receipt number reserved before central is asked to debit, until the receipt exists.
  await db.schema.createTable('debit_reservations', (t) => {
    t.string('receipt_no').primary()
    t.string('cif', 7).notNullable()
    t.string('account').notNullable()
    t.string('staff_id').notNullable()
    t.string('created_at').notNullable()
  })
  // Receipt numbers now carry the workstation: unique by receipt_no alone (its primary key).
  await db.raw('DROP INDEX IF EXISTS receipts_branch_code_business_date_seq_unique')
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('rebase_undo')
  await db.schema.dropTableIfExists('debit_reservations')
}
