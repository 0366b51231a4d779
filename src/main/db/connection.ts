import { existsSync } from 'node:fs'
import knex, { type Knex } from 'knex'
import sqlite3 from 'sqlite3'
import { migrationSource } from './migrations'

export type Db = Knex

export class CorruptDatabaseError extends Error {
  constructor(
    readonly dbFile: string,
    readonly detail: string,
  ) {
    super(`The database file ${dbFile} failed its integrity check: ${detail}`)
    this.name = 'CorruptDatabaseError'
  }
}

/**
 * Checks an existing file, read-only: a damaged file must be reported, never "repaired" by a migration
 * or overwritten with fresh demo data. `quick` (PRAGMA quick_check: every page and record, not whether
 * indexes match their tables) runs before anything writes to the file; at a million customers the full
 * PRAGMA integrity_check takes several seconds, so the app runs it in the background after start.
 */
export async function checkIntegrity(
  dbFile: string,
  depth: 'quick' | 'full' = 'full',
  signal?: AbortSignal,
): Promise<void> {
  if (!existsSync(dbFile)) return
  const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
    const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (e) => (e ? reject(e) : resolve(db)))
  }).catch((e: Error) => {
    throw new CorruptDatabaseError(dbFile, e.message)
  })
  if (signal?.aborted) return void raw.close()
  const interrupt = () => raw.interrupt()
  signal?.addEventListener('abort', interrupt)
  try {
    const pragma = depth === 'quick' ? 'quick_check' : 'integrity_check'
    const rows = await new Promise<Record<string, string>[]>((resolve, reject) =>
      raw.all(`PRAGMA ${pragma}`, (e, r) => (e ? reject(e) : resolve(r as Record<string, string>[]))),
    ).catch((e: Error) => {
      throw new CorruptDatabaseError(dbFile, e.message)
    })
    const problems = rows.map((r) => r[pragma]).filter((m) => m !== 'ok')
    if (problems.length) throw new CorruptDatabaseError(dbFile, problems.slice(0, 3).join('; '))
  } finally {
    signal?.removeEventListener('abort', interrupt)
    await new Promise<void>((resolve) => raw.close(() => resolve()))
  }
}

/**
 * Opens the local database: WAL, foreign keys on, synchronous=FULL (a committed operation survives power loss).
 * secure_delete=FAST zeroes a deleted or shortened row's bytes in its page at no extra I/O, so a sent or
 * refused outbox row's sealed password does not linger in the file's free space.
 */
export function openDb(dbFile: string): Db {
  return knex({
    client: 'sqlite3',
    connection: { filename: dbFile },
    useNullAsDefault: true,
    // SQLite has one writer; a single connection makes every transaction strictly serial.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: sqlite3.Database, done: (err: Error | null, conn: sqlite3.Database) => void) => {
        conn.exec(
          'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA secure_delete = FAST;',
          (e) => done(e, conn),
        )
      },
    },
  })
}

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource })
}
