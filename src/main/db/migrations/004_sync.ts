import type { Knex } from 'knex'

/** The sync client: token ids shared with central, mutation ids assigned at sending, sync problems. */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('tokens', (t) => {
    t.string('uid')
  })
  await db.raw(`UPDATE tokens SET uid = 'local-' || id WHERE uid IS NULL`)
  await db.raw('CREATE UNIQUE INDEX tokens_uid_unique ON tokens (uid)')
  await db.schema.alterTable('outbox', (t) => {
    t.integer('mutation_id')
  })
  await db.raw('CREATE UNIQUE INDEX outbox_mutation_id_unique ON outbox (mutation_id)')
  await db.schema.alterTable('sync_state', (t) => {
    t.string('central_url')
    t.string('client_id')
    t.text('secret_sealed')
    t.integer('last_assigned_id').notNullable().defaultTo(0)
    t.string('last_attempt_at')
    t.string('last_error')
  })
  await db.schema.createTable('sync_problems', (t) => {
    t.increments('id')
    t.integer('mutation_id').notNullable()
    t.string('name').notNullable()
    t.text('args_json').notNullable()
    t.string('actor').notNullable()
    t.string('code').notNullable()
    t.string('created_at').notNullable()
    t.string('resolved_at')
    t.string('resolved_by')
    t.string('resolution')
    t.string('note')
  })
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('sync_problems')
}
