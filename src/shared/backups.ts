import { z } from 'zod'

/**
 * 端末設定 › バックアップ: where this PC's backups go and the newest one there (issue 12). The folder is
 * a path on this PC, chosen by a supervisor or admin; by default `backups/` beside the database.
 */
export const BACKUP_KINDS = ['daily', 'premigration', 'prerestore', 'manual'] as const

export const backupStatus = z.object({
  folder: z.string(),
  isDefault: z.boolean(),
  /** Beside the database: where the backups go when no folder is chosen. */
  defaultFolder: z.string(),
  last: z
    .object({
      fileName: z.string(),
      kind: z.enum(BACKUP_KINDS),
      takenAt: z.string(),
    })
    .nullable(),
})
export type BackupStatus = z.infer<typeof backupStatus>

/** A folder path as typed (Windows paths run long; 400 is more than MAX_PATH and any real folder). */
export const backupFolderInput = z.object({ backupFolder: z.string().trim().min(1).max(400) }).strict()
