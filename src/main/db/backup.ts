import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Knex } from 'knex'
import sqlite3 from 'sqlite3'
import type { Clock } from '../clock'
import { checkIntegrity } from './connection'
import { migrationSource } from './migrations'

/** node-sqlite3's handle on sqlite3_backup_* (the package ships no typings for it). */
interface SqliteBackup {
  step(pages: number, callback: (e: Error | null) => void): void
  finish(callback?: (e: Error | null) => void): void
  readonly completed: boolean
  readonly failed: boolean
}
type BackupCapable = sqlite3.Database & {
  backup(
    filename: string,
    destName: string,
    sourceName: string,
    filenameIsDest: boolean,
    callback: (e: Error | null) => void,
  ): SqliteBackup
}

/** How many backups of each kind are kept (issue 10: 14 kept). */
export const BACKUPS_KEPT = 14
export const DAY_MS = 24 * 60 * 60 * 1000
/** `manual`: 「今すぐバックアップ」 on the settings screen (kept apart, so it never delays a daily one). */
export type BackupKind = 'daily' | 'premigration' | 'prerestore' | 'manual'

export function backupDirFor(dbFile: string): string {
  return join(dirname(dbFile), 'backups')
}

/** A backup being written carries this ending until it is complete; nothing lists or restores such a file. */
export const PARTIAL_SUFFIX = '.partial'

/**
 * Copies the open database to `file` with SQLite's online backup API: all pages in one step, on the
 * app's single connection, so the copy is one consistent moment even while the desk is in use.
 */
export async function backupTo(db: Knex, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true })
  const conn = (await db.client.acquireConnection()) as BackupCapable
  try {
    await copyComplete(conn, file)
  } finally {
    await db.client.releaseConnection(conn)
  }
}

/**
 * Writes the copy as `<file>.partial` and gives it its name only once every page is in: a copy cut off
 * by a shutdown, a power cut or an upgrade's installer is never taken for the newest backup.
 */
async function copyComplete(conn: BackupCapable, file: string): Promise<void> {
  const partial = file + PARTIAL_SUFFIX
  rmSync(partial, { force: true })
  try {
    await copyPages(conn, partial, true)
  } catch (e) {
    rmSync(partial, { force: true })
    throw e
  }
  renameSync(partial, file)
}

function copyPages(conn: BackupCapable, file: string, fileIsDest: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const backup = conn.backup(file, 'main', 'main', fileIsDest, (e) => {
      if (e) return reject(e)
      backup.step(-1, (stepError) => {
        backup.finish(() => {
          if (stepError) reject(stepError)
          else if (!backup.completed) reject(new Error(`the backup to ${file} did not complete`))
          else resolve()
        })
      })
    })
  })
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
}

export interface BackupFile {
  file: string
  kind: BackupKind
  takenAt: Date
}

const NAME = /^token-desk-(\d{8}T\d{6}Z)-(daily|premigration|prerestore|manual)\.sqlite$/

/** Backups in the folder, newest first. */
export function listBackups(dir: string): BackupFile[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((name) => ({ name, m: NAME.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map(({ name, m }) => {
      const s = m[1]!
      const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`
      return { file: join(dir, name), kind: m[2] as BackupKind, takenAt: new Date(iso) }
    })
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || b.file.localeCompare(a.file))
}

/**
 * Keeps the newest BACKUPS_KEPT of each kind, and removes unfinished copies a day old (a copy cut off
 * by a power cut; a younger one may still be written by another PC sharing the folder).
 */
export function pruneBackups(dir: string, kept = BACKUPS_KEPT): void {
  const byKind = new Map<BackupKind, BackupFile[]>()
  for (const b of listBackups(dir)) byKind.set(b.kind, [...(byKind.get(b.kind) ?? []), b])
  for (const list of byKind.values()) for (const old of list.slice(kept)) rmSync(old.file, { force: true })
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(PARTIAL_SUFFIX) || !NAME.test(name.slice(0, -PARTIAL_SUFFIX.length))) continue
    const file = join(dir, name)
    // The file's own time (the PC's clock), not the app's: both are the same clock in production.
    if (Date.now() - statSync(file).mtimeMs >= DAY_MS) rmSync(file, { force: true })
  }
}

/** Takes one backup of the given kind into the folder beside the database, then prunes. */
export async function takeBackup(db: Knex, dir: string, kind: BackupKind, now: Date): Promise<string> {
  let file = join(dir, `token-desk-${stamp(now)}-${kind}.sqlite`)
  // Two backups in the same second (a test, a restart loop) must not overwrite each other.
  for (let n = 1; existsSync(file); n++)
    file = join(dir, `token-desk-${stamp(new Date(now.getTime() + n * 1000))}-${kind}.sqlite`)
  await backupTo(db, file)
  pruneBackups(dir)
  return file
}

/** The daily backup: taken when the newest daily one is a day old or more (or there is none). */
export async function backupIfDue(db: Knex, dir: string, clock: Clock): Promise<string | null> {
  const now = clock.now()
  const last = listBackups(dir).find((b) => b.kind === 'daily')
  if (last && now.getTime() - last.takenAt.getTime() < DAY_MS) return null
  return takeBackup(db, dir, 'daily', now)
}

/**
 * Migrates the database, first taking a backup when a migration is pending on a database that already
 * holds data, so a migration that goes wrong can be undone with `npm run db:restore`.
 */
export async function migrateWithBackup(db: Knex, dir: string, clock: Clock): Promise<string | null> {
  const [done, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]]
  // Nothing pending (every start but the first after an update): no migration run, whose lock table
  // write would be a commit to disk before the first screen (issue 11: start).
  if (pending.length === 0) return null
  let file: string | null = null
  if (done.length > 0) file = await takeBackup(db, dir, 'premigration', clock.now())
  try {
    await db.migrate.latest({ migrationSource })
  } catch (e) {
    throw new MigrationFailedError(file, { cause: e })
  }
  return file
}

/** A migration failed (its transaction rolled back); `backup` is the copy taken just before, if any. */
export class MigrationFailedError extends Error {
  constructor(
    readonly backup: string | null,
    options: ErrorOptions,
  ) {
    super('the database could not be brought up to date', options)
    this.name = 'MigrationFailedError'
  }
}

/** How long after start the daily backup first looks whether one is due. */
export const FIRST_BACKUP_AFTER_MS = 2 * 60_000

/**
 * Runs the daily backup two minutes after start and then every hour while the app is open (a missed day is caught up).
 * The returned stop() waits for a backup in progress, so the database is not closed under it.
 */
export function scheduleDailyBackups(
  db: Knex,
  dir: string | (() => Promise<string>),
  clock: Clock,
  onError: (e: unknown) => void,
  firstAfterMs = FIRST_BACKUP_AFTER_MS,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve()
  // The folder is looked up at each run: a supervisor may choose another one while the app is open.
  const folder = typeof dir === 'string' ? async () => dir : dir
  const run = () => {
    running = folder()
      .then((d) => backupIfDue(db, d, clock))
      .catch(onError)
  }
  // Not at start: the copy holds the app's only connection (a million customers: seconds), and the
  // first screen and the first login would wait behind it (issue 11: start). A missed day is caught up
  // a little later instead.
  const first = setTimeout(run, firstAfterMs)
  first.unref()
  const timer = setInterval(run, 60 * 60 * 1000)
  timer.unref()
  return async () => {
    clearTimeout(first)
    clearInterval(timer)
    await running
  }
}

function openRaw(file: string, mode: number): Promise<BackupCapable> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (e) => (e ? reject(e) : resolve(db as BackupCapable)))
  })
}

function closeRaw(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => db.close((e) => (e ? reject(e) : resolve())))
}

/**
 * Restores `dbFile` from a backup: the backup must pass its integrity check; the current database (if
 * any) is itself backed up first (kind 'prerestore'); then the backup's pages are copied over it with the
 * backup API, which goes through SQLite's own locking and journal. The app must not be running.
 */
export async function restoreBackup(
  from: string,
  dbFile: string,
  now = new Date(),
  /** Where the current database is kept before it is overwritten: the configured backup folder. */
  dir = backupDirFor(dbFile),
): Promise<string | null> {
  if (!existsSync(from) || !statSync(from).isFile()) throw new Error(`no backup file ${from}`)
  if (from.endsWith(PARTIAL_SUFFIX))
    throw new Error(`${from} is a backup that was never finished (cut off while it was written)`)
  await checkIntegrity(from)
  const source = await openRaw(from, sqlite3.OPEN_READONLY)
  let saved: string | null = null
  try {
    if (existsSync(dbFile)) {
      const current = await openRaw(dbFile, sqlite3.OPEN_READWRITE)
      try {
        saved = join(dir, `token-desk-${stamp(now)}-prerestore.sqlite`)
        mkdirSync(dir, { recursive: true })
        await copyComplete(current, saved)
        pruneBackups(dir)
      } finally {
        await closeRaw(current)
      }
    }
    await copyPages(source, dbFile, true)
  } finally {
    await closeRaw(source)
  }
  await checkIntegrity(dbFile)
  return saved
}
