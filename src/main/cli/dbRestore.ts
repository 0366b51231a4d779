import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { backupDirFor, listBackups, restoreBackup } from '../db/backup'
import { lockDatabase } from '../shell/instanceLock'

const USAGE = `usage: npm run db:restore -- --from BACKUP.sqlite --db FILE
       npm run db:restore -- --list --db FILE     (the backups kept beside FILE, newest first)`

/**
 * Restores the local database from one of its backups (src/main/db/backup.ts). The app must be closed:
 * the database lock is taken for the time of the restore. The current file is backed up first.
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
  if (values.list) {
    for (const b of listBackups(backupDirFor(dbFile)))
      console.log(`${b.takenAt.toISOString()}  ${b.kind.padEnd(12)}  ${b.file}`)
    return 0
  }
  if (!values.from) {
    console.error(USAGE)
    return 2
  }
  const release = lockDatabase(dbFile)
  try {
    const saved = await restoreBackup(resolve(values.from), dbFile)
    if (saved) console.log(`the database before the restore was kept as ${saved}`)
    console.log(`restored ${dbFile} from ${values.from}`)
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
