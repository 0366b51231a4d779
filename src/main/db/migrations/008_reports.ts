import type { Knex } from 'knex'

/**
 * Issue 12b: the reports and the dashboard read requests by the time they were recorded (日次業務 over
 * a month or a year); without this index each report scans every request the branch ever took.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw('CREATE INDEX requests_created_at_index ON requests (created_at)')
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX IF EXISTS requests_created_at_index')
}
