import type { Knex } from 'knex'

/**
 * Issue 10: the approval lock. Wrong approval attempts count per supervisor at this PC, apart from the
 * supervisor's login counter, so a teller typing wrong codes cannot lock a supervisor out of logging in.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('approval_locks', (t) => {
    t.string('staff_id').primary()
    t.integer('failed_attempts').notNullable().defaultTo(0)
    t.string('locked_until')
    t.string('updated_at').notNullable()
  })
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('approval_locks')
}
