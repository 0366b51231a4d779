import type { Knex } from 'knex'

/**
 * Search at bank scale: the kana index carries the CIF, so a prefix search reads its page in sort order
 * straight from the index (no sort of every match) and keyset paging continues from (key, cif).
 */
export async function up(db: Knex): Promise<void> {
  await db.raw('CREATE INDEX customers_kana_key_cif_index ON customers (name_kana_key, cif)')
  await db.raw('DROP INDEX IF EXISTS customers_name_kana_key_index')
}

export async function down(db: Knex): Promise<void> {
  await db.raw('CREATE INDEX customers_name_kana_key_index ON customers (name_kana_key)')
  await db.raw('DROP INDEX IF EXISTS customers_kana_key_cif_index')
}
