import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Knex } from 'knex'

/** The `settings` row that remembers which data key this database's secrets are sealed with. */
export const DATA_KEY_CHECK = 'data_key_check'

/** A value only the right key gives, and from which the key cannot be learned (HMAC of a fixed text). */
export function dataKeyCheckValue(key: Buffer): string {
  return createHmac('sha256', key).update('token-desk data key check').digest('base64')
}

/**
 * Whether `key` is the database's data key. The first start with a key (a new PC, or the first start of
 * this version) records it; every later start compares. A key file replaced or missing beside a
 * database that holds data would otherwise seal new secrets under a new key and fail to open the old
 * ones (the sync secret, seeds, authenticator keys) much later, deep inside some teller's work.
 */
export async function dataKeyFitsDatabase(db: Knex, key: Buffer): Promise<boolean> {
  const expected = dataKeyCheckValue(key)
  const row = await db('settings').where({ key: DATA_KEY_CHECK }).first()
  if (!row) {
    await db('settings').insert({ key: DATA_KEY_CHECK, value: expected })
    return true
  }
  const stored = Buffer.from(String(row.value))
  const given = Buffer.from(expected)
  return stored.length === given.length && timingSafeEqual(stored, given)
}
