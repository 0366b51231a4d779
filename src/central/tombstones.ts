import type { Knex } from 'knex'

export type TombstoneEntity = 'staff' | 'inventory' | 'customer' | 'token' | 'request'

/**
 * A row leaves a branch's view (staff disabled or moved, a device allocated elsewhere): the branch's
 * next pull gets a `del` for it (SYNC-PROTOCOL.md: Central side).
 */
export async function recordTombstone(
  trx: Knex.Transaction,
  row: { entity: TombstoneEntity; key: string; branchCode: string; version: number },
): Promise<void> {
  await trx('tombstones').insert({
    entity: row.entity,
    key: row.key,
    branch_code: row.branchCode,
    version: row.version,
  })
}
