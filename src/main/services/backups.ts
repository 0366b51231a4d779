import { basename } from 'node:path'
import type { Knex } from 'knex'
import type { BackupStatus } from '../../shared/backups'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { backupDirFor, listBackups, scheduleDailyBackups, takeBackup } from '../db/backup'
import {
  BACKUP_FOLDER_KEY,
  BackupFolderRefused,
  backupFolderOf,
  checkBackupFolder,
  type BackupFolder,
} from '../db/backupFolder'
import type { AuditLog } from './audit'
import type { Session } from './sessions'

/**
 * 端末設定 › バックアップ: the folder the daily, before-migration and manual backups go to, the newest
 * backup there, and 「今すぐバックアップ」. The folder is a row of the local `settings` table, so the
 * app reads it at start before migrating (see backupFolderOf) and `npm run db:restore` finds it too.
 */
export class BackupService {
  constructor(
    private readonly db: Knex,
    private readonly dbFile: string,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /** Where backups go now (read at each backup: a change applies to the next one). */
  folder(): Promise<BackupFolder> {
    return backupFolderOf(this.db, this.dbFile)
  }

  async status(): Promise<BackupStatus> {
    const { folder, isDefault } = await this.folder()
    const last = listBackups(folder)[0]
    return {
      folder,
      isDefault,
      defaultFolder: backupDirFor(this.dbFile),
      last: last
        ? { fileName: basename(last.file), kind: last.kind, takenAt: last.takenAt.toISOString() }
        : null,
    }
  }

  /**
   * The daily backup while the app is open (the shells turn it on), into the folder as it is at each
   * run: a folder chosen while the app is open takes the next daily backup. Returns stop().
   */
  scheduleDaily(onError: (e: unknown) => void): () => Promise<void> {
    return scheduleDailyBackups(this.db, async () => (await this.folder()).folder, this.clock, onError)
  }

  /** Checks the folder (absolute, a folder, created if missing, writable), then saves it with an audit row. */
  async setFolder(session: Session, typed: string): Promise<BackupStatus> {
    const folder = checked(typed)
    await this.db.transaction(async (trx) => {
      const before = await trx('settings').where({ key: BACKUP_FOLDER_KEY }).first()
      await trx('settings').insert({ key: BACKUP_FOLDER_KEY, value: folder }).onConflict('key').merge()
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'settings.backup_folder',
        entity: 'settings',
        entityKey: BACKUP_FOLDER_KEY,
        before: { folder: before?.value ?? backupDirFor(this.dbFile) },
        after: { folder },
      })
    })
    return this.status()
  }

  /** 「今すぐバックアップ」: a copy into the configured folder now, recorded in the audit log. */
  async backupNow(session: Session): Promise<BackupStatus> {
    const { folder } = await this.folder()
    // The folder may have gone since it was chosen (a USB drive, a network share): say so in words.
    checked(folder)
    const file = await takeBackup(this.db, folder, 'manual', this.clock.now())
    await this.db.transaction((trx) =>
      this.audit.append(trx, {
        actor: session.staffId,
        action: 'backup.take',
        entity: 'settings',
        entityKey: BACKUP_FOLDER_KEY,
        after: { fileName: basename(file), folder },
      }),
    )
    return this.status()
  }
}

/** A refused folder as a VALIDATION error whose field carries why (the screen words it). */
function checked(typed: string): string {
  try {
    return checkBackupFolder(typed)
  } catch (e) {
    if (e instanceof BackupFolderRefused)
      throw new DomainError('VALIDATION', e.message, { backupFolder: e.problem })
    throw e
  }
}
