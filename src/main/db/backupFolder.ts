import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { isAbsolute, normalize, resolve } from 'node:path'
import type { Knex } from 'knex'
import sqlite3 from 'sqlite3'
import { backupDirFor } from './backup'
import { migrationSource } from './migrations'

/** The `settings` row holding the folder a supervisor or admin chose for backups. */
export const BACKUP_FOLDER_KEY = 'backup_folder'

/** Why a folder is refused; the screen words each one (backup.problem.*). */
export type BackupFolderProblem = 'not_absolute' | 'not_a_folder' | 'cannot_create' | 'not_writable'

export class BackupFolderRefused extends Error {
  constructor(
    readonly problem: BackupFolderProblem,
    readonly folder: string,
  ) {
    super(`the backup folder ${folder} was refused: ${problem}`)
    this.name = 'BackupFolderRefused'
  }
}

/** Where the backups go: the chosen folder, or (by default) `backups/` beside the database. */
export interface BackupFolder {
  folder: string
  /** True when no folder was chosen and the backups go beside the database. */
  isDefault: boolean
}

/**
 * The configured folder, read with the app's own connection. Called before migrating, so the
 * `settings` table may not exist yet (a new PC, or a database older than the table): then the default.
 */
export async function backupFolderOf(db: Knex, dbFile: string): Promise<BackupFolder> {
  if (await db.schema.hasTable('settings')) {
    const row = await db('settings').where({ key: BACKUP_FOLDER_KEY }).first()
    if (row && typeof row.value === 'string' && row.value !== '')
      return { folder: row.value, isDefault: false }
  }
  return { folder: backupDirFor(dbFile), isDefault: true }
}

/**
 * Where the backup before a migration goes. A migration never runs without one, but a chosen folder
 * that cannot be written at this start (a network drive not connected yet) must not keep the branch's
 * PC from opening: then the copy goes beside the database, and `onFallback` says so in the log.
 */
export async function premigrationFolder(
  db: Knex,
  dbFile: string,
  onFallback: (problem: BackupFolderProblem, folder: string) => void = () => {},
): Promise<string> {
  const chosen = await backupFolderOf(db, dbFile)
  if (chosen.isDefault) return chosen.folder
  // Checked (a file written) only when a migration will run and so a backup is taken: most starts have
  // none pending and write nothing before the first screen.
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]]
  if (pending.length === 0) return chosen.folder
  try {
    return checkBackupFolder(chosen.folder)
  } catch (e) {
    if (!(e instanceof BackupFolderRefused)) throw e
    onFallback(e.problem, chosen.folder)
    return backupDirFor(dbFile)
  }
}

/**
 * The same, for `npm run db:restore` while the app is closed: the file is opened read-only and only
 * looked at (a missing file, or one without the table, gives the default folder).
 */
export async function backupFolderOfFile(dbFile: string): Promise<BackupFolder> {
  const fallback = { folder: backupDirFor(dbFile), isDefault: true }
  if (!existsSync(dbFile)) return fallback
  const db = await new Promise<sqlite3.Database>((ok, fail) => {
    const handle = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (e) => (e ? fail(e) : ok(handle)))
  })
  const get = (sql: string, params: unknown[]) =>
    new Promise<Record<string, unknown> | undefined>((ok, fail) =>
      db.get(sql, params, (e, row) => (e ? fail(e) : ok(row as Record<string, unknown> | undefined))),
    )
  try {
    const table = await get(`select name from sqlite_master where type = 'table' and name = 'settings'`, [])
    if (!table) return fallback
    const row = await get(`select value from settings where key = ?`, [BACKUP_FOLDER_KEY])
    const value = row?.['value']
    return typeof value === 'string' && value !== '' ? { folder: value, isDefault: false } : fallback
  } finally {
    await new Promise<void>((ok) => db.close(() => ok()))
  }
}

/**
 * Checks a folder a person typed: an absolute path (a relative one would depend on where the app was
 * started), a folder rather than a file, created if missing, and writable (a file is really written
 * and removed: permission bits alone do not tell on Windows or network drives). A refused folder leaves
 * nothing behind: folders created for the check are removed again.
 */
export function checkBackupFolder(typed: string): string {
  const trimmed = typed.trim()
  if (!trimmed || !isAbsolute(trimmed)) throw new BackupFolderRefused('not_absolute', trimmed)
  const folder = resolve(normalize(trimmed))
  let created: string | undefined
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) throw new BackupFolderRefused('not_a_folder', folder)
  } else {
    try {
      created = mkdirSync(folder, { recursive: true })
    } catch {
      throw new BackupFolderRefused('cannot_create', folder)
    }
  }
  const probe = resolve(folder, `.token-desk-write-check-${randomBytes(6).toString('hex')}`)
  try {
    writeFileSync(probe, 'token desk backup folder check', { flag: 'wx' })
    unlinkSync(probe)
  } catch {
    rmSync(probe, { force: true })
    if (created) rmSync(created, { recursive: true, force: true })
    throw new BackupFolderRefused('not_writable', folder)
  }
  return folder
}
