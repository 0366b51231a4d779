import type { Knex } from 'knex'

/** Revocations and suspensions live in `requests` too; these are their own columns. */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('requests', (t) => {
    t.string('channel')
    t.string('reason')
    t.string('note')
    t.string('form_no')
    t.string('received_on')
    t.string('due_on')
    t.boolean('seal_checked')
    // The customer's status when the request was made: central's rejection returns to it.
    t.string('prev_status')
    t.string('decided_at')
    t.string('decided_by')
    t.string('decision_reason')
  })
  await db.raw(`CREATE INDEX requests_kind_state_index ON requests (kind, state)`)
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX IF EXISTS requests_kind_state_index')
}
