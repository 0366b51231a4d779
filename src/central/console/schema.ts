import type { Knex } from 'knex'

/**
 * 003_hq_console: the HQ office at central — its staff and sessions, its own hash-chained audit, the
 * two-person completion of paper revocations, and each hard token's history. None of these tables is
 * pulled by a branch: only the final decision (a request completed or rejected) reaches branches.
 */
export const m003HqConsole: Knex.Migration = {
  async up(db) {
    await db.schema.createTable('hq_staff', (t) => {
      t.string('staff_id').primary()
      t.string('name').notNullable()
      t.string('role').notNullable()
      t.string('password_hash').notNullable()
      t.boolean('active').notNullable().defaultTo(true)
      t.integer('failed_logins').notNullable().defaultTo(0)
      t.string('locked_until')
      t.text('totp_secret_sealed')
      t.string('totp_enrolled_at')
      // The last authenticator time step accepted: a code seen over someone's shoulder is not accepted again.
      t.bigInteger('totp_last_step')
      t.string('created_at').notNullable()
    })
    await db.schema.createTable('hq_sessions', (t) => {
      t.string('id_hash').primary()
      t.string('staff_id').notNullable().references('hq_staff.staff_id')
      t.string('csrf_token').notNullable()
      // 'totp_enrolment' until the person confirms a code from their authenticator, then 'signed_in'.
      t.string('stage').notNullable()
      t.text('pending_totp_sealed')
      t.string('created_at').notNullable()
      t.string('last_seen_at').notNullable()
      t.string('expires_at').notNullable()
    })
    await db.schema.createTable('hq_audit', (t) => {
      t.increments('id').primary()
      t.string('at').notNullable()
      t.string('actor').notNullable()
      t.string('action').notNullable()
      t.string('entity').notNullable()
      t.string('entity_key').notNullable()
      t.text('before_json')
      t.text('after_json')
      t.string('prev_hash', 64).notNullable()
      t.string('hash', 64).notNullable()
    })
    // 書面 revocations: an HQ operator prepares the completion, a different hq_supervisor approves it.
    await db.schema.createTable('hq_completions', (t) => {
      t.string('request_id').primary().references('requests.id')
      t.string('prepared_by').notNullable()
      t.string('prepared_at').notNullable()
      t.string('approved_by')
      t.string('approved_at')
    })
    await db.schema.createTable('device_events', (t) => {
      t.increments('id').primary()
      t.string('serial').notNullable()
      t.string('at').notNullable()
      t.string('event').notNullable()
      t.string('branch_code')
      t.string('actor').notNullable()
      t.index(['serial'])
    })
  },
  async down(db) {
    for (const table of ['device_events', 'hq_completions', 'hq_audit', 'hq_sessions', 'hq_staff'])
      await db.schema.dropTableIfExists(table)
  },
}
