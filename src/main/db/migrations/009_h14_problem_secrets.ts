import type { Knex } from 'knex'

/**
 * 同期エラー rows recorded before this version kept a refused credential change's arguments whole: the
 * person's current password and the new hash or authenticator key, sealed with the data key, for good.
 * They are dropped here, as the sync client now drops them when it records a refusal (problemSecrets.ts).
 * The fields are named here, not read from the mutators, so this migration means the same thing forever.
 * Nothing else in the row changes: the 同期エラー screen still names the change and the person.
 */
const SECRET_FIELDS: Record<string, readonly string[]> = {
  'staff.change_password': ['passwordHash', 'currentPassword'],
  'staff.enrol_totp': ['totpSecret', 'currentPassword'],
}

export async function up(db: Knex): Promise<void> {
  const rows = await db('sync_problems')
    .whereIn('name', Object.keys(SECRET_FIELDS))
    .select('id', 'name', 'args_json')
  for (const row of rows) {
    const args = JSON.parse(row.args_json) as Record<string, unknown> | null
    // Arguments are always an object; anything else holds no named field and would stop the start.
    if (args === null || typeof args !== 'object') continue
    for (const field of SECRET_FIELDS[row.name] ?? []) delete args[field]
    await db('sync_problems')
      .where({ id: row.id })
      .update({ args_json: JSON.stringify(args) })
  }
}

/** The secrets are gone; there is nothing to put back. */
export async function down(): Promise<void> {}
