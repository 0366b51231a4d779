import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'

export class DatabaseInUseError extends Error {
  constructor(
    readonly dbFile: string,
    readonly pid: number,
  ) {
    super(`the database ${dbFile} is already open in another Token Desk (process ${pid})`)
    this.name = 'DatabaseInUseError'
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One process per database file: a lock file beside it holding the owner's process id, created
 * exclusively. A lock left by a process that died (a crash, a power cut) is taken over. Electron also
 * holds its single-instance lock; this one covers browser mode and a second Electron profile.
 */
export function lockDatabase(dbFile: string): () => void {
  const lockFile = `${dbFile}.lock`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(lockFile, { force: true })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const owner = Number(readFileSync(lockFile, 'utf8').trim())
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner))
        throw new DatabaseInUseError(dbFile, owner)
      rmSync(lockFile, { force: true })
    }
  }
  throw new Error(`could not take the lock ${lockFile}`)
}
