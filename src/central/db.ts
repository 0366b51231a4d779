import knex, { type Knex } from 'knex'
import { centralMigrationSource } from './migrations'
import { AUTOCHECKPOINT_PAGES, startWalCheckpoints } from './walCheckpoints'

/** Central's database: a SQLite file by default, PostgreSQL when DATABASE_URL is a postgres:// URL. */
export function openCentralDb(options: { dbFile?: string; databaseUrl?: string }): Knex {
  const url = options.databaseUrl
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    return knex({
      client: 'pg',
      // Central's working set is in memory or on SSD. With PostgreSQL's default random_page_cost (4, for
      // spinning disks) a push's lookup of 500 keys was planned as a scan of the whole table while the
      // table was small or its statistics stale, so every push cost more than the last (issue 11). 1.1 is
      // the usual SSD setting; it is set per connection at startup and weighs on every central query.
      connection: withStartupOption(url, '-c random_page_cost=1.1'),
      pool: { min: 0, max: 10 },
    })
  }
  if (!options.dbFile) throw new Error('give --db FILE or set DATABASE_URL to a PostgreSQL URL')
  const db = knex({
    client: 'sqlite3',
    connection: { filename: options.dbFile },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // A 64 MB page cache (SQLite's default is 2 MB): the indexes a push writes into (`requests` by a
      // random id, by CIF) outgrew 2 MB during a day's drain, and each push then read more pages than the last.
      afterCreate: (
        conn: { exec(sql: string, cb: (e: Error | null) => void): void },
        done: (e: Error | null, c: unknown) => void,
      ) =>
        conn.exec(
          `PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES};`,
          (e) => done(e, conn),
        ),
    },
  })
  // Checkpoints run beside the requests, not inside one of them (src/central/walCheckpoints.ts).
  const checkpoints = startWalCheckpoints(options.dbFile)
  // knex.destroy() ends in the client's destroy (knex's own property is read-only): stop them first.
  const client = db.client as { destroy(callback?: unknown): Promise<void> }
  const destroy = client.destroy.bind(client)
  client.destroy = async (callback?: unknown) => {
    await checkpoints.stop()
    return destroy(callback)
  }
  return db
}

/**
 * The URL's own `options` (e.g. `?options=-c statement_timeout=5000`) would replace a separate one (pg
 * reads the URL over the config), so the setting is added to them.
 */
export function withStartupOption(
  url: string,
  option: string,
): { connectionString: string; options: string } {
  const parsed = new URL(url)
  const own = parsed.searchParams.get('options')
  parsed.searchParams.delete('options')
  return { connectionString: parsed.toString(), options: own ? `${own} ${option}` : option }
}

export async function migrateCentral(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource: centralMigrationSource, tableName: 'central_migrations' })
}

/**
 * Bumps the global version inside the writing transaction (SYNC-PROTOCOL: not a sequence, not now()),
 * so a pull never skips a change that commits late: the row lock orders the writers.
 */
export async function nextVersion(trx: Knex.Transaction): Promise<number> {
  // One statement (UPDATE … RETURNING, SQLite ≥ 3.35 and PostgreSQL): the row stays locked until commit.
  const [row] = await trx('meta').where({ key: 'version' }).increment('value', 1).returning('value')
  return Number((row as { value: unknown }).value)
}

/**
 * Bulk writes (the demo bank, a customer import) take a new version every ROWS_PER_VERSION rows, so a pull
 * can page them at version boundaries within 5,000 entries. Returns the version of the i-th row written.
 */
export const ROWS_PER_VERSION = 500
export async function versionsFor(trx: Knex.Transaction, rows: number): Promise<(index: number) => number> {
  const chunks = Math.max(1, Math.ceil(rows / ROWS_PER_VERSION))
  await trx('meta').where({ key: 'version' }).increment('value', chunks)
  const last = Number((await trx('meta').where({ key: 'version' }).first('value')).value)
  return (index) => last - chunks + 1 + Math.floor(index / ROWS_PER_VERSION)
}
