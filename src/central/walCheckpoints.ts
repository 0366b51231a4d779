import { existsSync } from 'node:fs'
import sqlite3 from 'sqlite3'

/** How often the background connection copies the write-ahead log into the database file. */
export const CHECKPOINT_EVERY_MS = 1_000
/**
 * SQLite's own checkpoint (run by whichever commit finds the log past this many pages) stays on as a
 * safety net, far above what the background checkpoints let the log reach.
 */
export const AUTOCHECKPOINT_PAGES = 20_000

/**
 * Central's SQLite checkpoints, off the request path (issue 11: central under load). By default SQLite
 * copies the write-ahead log into the database file inside the commit that takes the log past 1,000
 * pages: that push then writes and fsyncs megabytes while every request behind it on central's single
 * connection waits — the p99 spikes. Here a connection of its own runs a PASSIVE checkpoint every
 * second (it never waits for, nor blocks, the writer), so commits only append to the log.
 * Durability is unchanged: every commit is still fsynced (synchronous = FULL); a checkpoint only moves
 * committed pages, and a crash in the middle of one is replayed from the log at the next open.
 */
export function startWalCheckpoints(file: string): { stop(): Promise<void> } {
  let conn: sqlite3.Database | null = null
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  // Opened at the first tick: central's own connection creates the file and turns on WAL first.
  const open = () =>
    new Promise<void>((resolve) => {
      if (!existsSync(file)) return resolve()
      const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (e) => {
        if (e) return resolve() // central's own connection reports any problem with the file
        db.exec('PRAGMA synchronous = FULL; PRAGMA busy_timeout = 0;', () => {
          conn = db
          resolve()
        })
      })
    })
  const checkpoint = async () => {
    if (stopped) return
    if (!conn) await open()
    const db = conn
    if (!db || stopped) return
    // A checkpoint that finds the file busy simply tries again at the next tick.
    await new Promise<void>((resolve) => db.run('PRAGMA wal_checkpoint(PASSIVE)', () => resolve()))
  }
  const timer = setInterval(() => {
    running = running.then(checkpoint)
  }, CHECKPOINT_EVERY_MS)
  timer.unref()
  return {
    stop: async () => {
      stopped = true
      clearInterval(timer)
      await running
      const db = conn
      conn = null
      if (db) await new Promise<void>((resolve) => db.close(() => resolve()))
    },
  }
}
