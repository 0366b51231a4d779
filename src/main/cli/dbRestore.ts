import { existsSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { backupDirFor, listBackups, restoreBackup } from '../db/backup'
import { backupFolderOfFile } from '../db/backupFolder'
import { lockDatabase } from '../shell/instanceLock'

const USAGE = `usage: npm run db:restore -- --from BACKUP.sqlite --db FILE
       (a bare file name, as the settings screen shows it, is looked for in the backup folder)
       npm run db:restore -- --list --db FILE     (the backups of FILE, newest first)`

/**
 * The backup to restore: a path as given, or a bare file name (as 端末設定 › バックアップ shows it)
 * looked for in the chosen backup folder, then beside the database. Null, with where it looked, if none.
 */
function findBackup(from: string, folders: string[]): { file: string | null; looked: string[] } {
  if (existsSync(from) || basename(from) !== from) return { file: resolve(from), looked: [resolve(from)] }
  const looked = folders.map((folder) => join(folder, from))
  return { file: looked.find((path) => existsSync(path)) ?? null, looked }
}

/**
 * Restores the local database from one of its backups (src/main/db/backup.ts). The app must be closed:
 * the database lock is taken for the time of the restore. The current file is backed up first, into the
 * backup folder chosen on the settings screen (read from the database itself; beside it by default).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, db: { type: 'string' }, list: { type: 'boolean', default: false } },
  })
  if (!values.db) {
    console.error(USAGE)
    return 2
  }
  const dbFile = resolve(values.db)
  const configured = await backupFolderOfFile(dbFile)
  // Backups taken before the folder was changed stay beside the database: both places are searched.
  const folders = [configured.folder]
  if (!configured.isDefault && backupDirFor(dbFile) !== configured.folder) folders.push(backupDirFor(dbFile))
  if (values.list) {
    for (const [i, folder] of folders.entries()) {
      const found = listBackups(folder)
      const which = configured.isDefault
        ? 'beside the database (no folder chosen on the settings screen)'
        : i === 0
          ? 'the folder chosen on the settings screen'
          : 'beside the database (backups from before the folder was chosen)'
      console.log(`looked in ${folder} — ${which}: ${found.length} backup(s)`)
      for (const b of found) console.log(`${b.takenAt.toISOString()}  ${b.kind.padEnd(12)}  ${b.file}`)
    }
    return 0
  }
  if (!values.from) {
    console.error(USAGE)
    return 2
  }
  const found = findBackup(values.from, folders)
  if (!found.file) {
    console.error(`no backup ${values.from}; looked in:\n${found.looked.map((p) => `  ${p}`).join('\n')}`)
    return 2
  }
  const release = lockDatabase(dbFile)
  try {
    const saved = await restoreBackup(found.file, dbFile, new Date(), configured.folder)
    if (saved) console.log(`the database before the restore was kept as ${saved}`)
    console.log(`restored ${dbFile} from ${found.file}`)
    return 0
  } finally {
    release()
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.message)
    process.exit(2)
  },
)
