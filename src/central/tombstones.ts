import type { Knex } from 'knex'
import type { SyncEntity } from '../shared/syncProtocol'

/** Any synced entity can leave a branch's view; the branch's writer for it decides what `del` does. */
export type TombstoneEntity = SyncEntity

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
