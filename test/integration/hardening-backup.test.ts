import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  truncateSync,
  utimesSync,
  watch,
  type FSWatcher,
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  BACKUPS_KEPT,
  backupDirFor,
  backupIfDue,
  listBackups,
  migrateWithBackup,
  PARTIAL_SUFFIX,
  restoreBackup,
  takeBackup,
} from '../../src/main/db/backup'
import { openDb } from '../../src/main/db/connection'
import { approvalBy, customerIn, issueHard, login, stockToken } from '../support/counter'
import { snapshot, tempApp, type TempApp } from '../support/tempApp'

const ALL_TABLES = [
  'branches',
  'staff',
  'customers',
  'accounts',
  'inventory',
  'tokens',
  'settings',
  'audit',
  'requests',
  'receipts',
  'ledger_entries',
  'outbox',
]

let app: TempApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

describe('online backups of the local database', () => {
  it('a backup taken while the desk is in use holds every record; a restore brings them all back', async () => {
    app = await tempApp()
    await login(app, 'pc', 'T001')
    const cif = await customerIn(app, 'not_applied')
    expect(
      (await issueHard(app, 'pc', cif, stockToken('totp'), { method: 'cash', tenderedYen: 1100 })).ok,
    ).toBe(true)
    const dir = backupDirFor(app.dbFile)
    const backup = await takeBackup(app.services.db, dir, 'daily', app.clock.now())
    const atBackup = await snapshot(app.services.db, ALL_TABLES)

    // Work continues after the backup, then the database is lost to a bad day.
    const cif2 = (
      await app.services.db('customers').where({ otp_status: 'not_applied' }).orderBy('cif').offset(1).first()
    ).cif
    await issueHard(app, 'pc', cif2, stockToken('hotp'), {
      method: 'waiver',
      reason: '初期不良',
      approval: approvalBy(app, 'S001'),
    })
    expect(await snapshot(app.services.db, ALL_TABLES)).not.toBe(atBackup)
    await app.services.db.destroy()

    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/main/cli/dbRestore.ts', '--from', backup, '--db', app.dbFile],
      { encoding: 'utf8' },
    )
    expect(out).toContain('restored')
    const restored = openDb(app.dbFile)
    try {
      expect(await snapshot(restored, ALL_TABLES)).toBe(atBackup)
      expect(await restored('receipts')).toHaveLength(1)
    } finally {
      await restored.destroy()
    }
    // The database as it was before the restore was kept too.
    expect(listBackups(dir).map((b) => b.kind)).toContain('prerestore')
  })

  it('takes the daily backup once a day, and keeps 14', async () => {
    app = await tempApp()
    const dir = join(app.dir, 'backups')
    for (let day = 0; day < BACKUPS_KEPT + 3; day++) {
      expect(await backupIfDue(app.services.db, dir, app.clock)).not.toBeNull()
      expect(await backupIfDue(app.services.db, dir, app.clock)).toBeNull()
      app.clock.advance(24 * 60 * 60 * 1000)
    }
    const kept = listBackups(dir)
    expect(kept).toHaveLength(BACKUPS_KEPT)
    expect(kept[0]!.takenAt.toISOString()).toBe('2026-12-11T01:00:00.000Z')
  })

  it('backs up before a pending migration, and not on a fresh database', async () => {
    app = await tempApp()
    const dir = join(app.dir, 'backups-m')
    const db = app.services.db
    expect(await migrateWithBackup(db, dir, app.clock)).toBeNull()
    // Pretend the newest migration has not run yet: its table goes and its record with it.
    await db.schema.dropTable('approval_locks')
    await db('knex_migrations').where({ name: '007_hardening' }).delete()
    const file = await migrateWithBackup(db, dir, app.clock)
    expect(file).not.toBeNull()
    expect(existsSync(file!)).toBe(true)
    expect(listBackups(dir)[0]!.kind).toBe('premigration')
    expect(await db.schema.hasTable('approval_locks')).toBe(true)
  })

  it('refuses to restore from a file that is not a sound database', async () => {
    app = await tempApp()
    const bogus = join(app.dir, 'not-a-backup.sqlite')
    execFileSync('sh', ['-c', `head -c 8192 /dev/urandom > ${bogus}`])
    await app.services.db.destroy()
    const before = await (async () => {
      const db = openDb(app!.dbFile)
      try {
        return await snapshot(db, ALL_TABLES)
      } finally {
        await db.destroy()
      }
    })()
    expect(() =>
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'src/main/cli/dbRestore.ts', '--from', bogus, '--db', app!.dbFile],
        {
          stdio: 'pipe',
        },
      ),
    ).toThrow()
    const db = openDb(app.dbFile)
    try {
      expect(await snapshot(db, ALL_TABLES)).toBe(before)
    } finally {
      await db.destroy()
    }
  })
})

describe('a backup cut off while it is written (a shutdown, a power cut, an upgrade)', () => {
  it('is written under a .partial name and takes its own name only when complete', async () => {
    app = await tempApp()
    const dir = join(app.dir, 'backups-w')
    mkdirSync(dir)
    // The order in which names appear in the folder while the copy runs.
    const seen: string[] = []
    const watcher: FSWatcher = watch(dir, (_event, name) => {
      if (name && seen.at(-1) !== name) seen.push(name)
    })
    let file: string
    try {
      file = await takeBackup(app.services.db, dir, 'daily', app.clock.now())
      await new Promise((r) => setTimeout(r, 100))
    } finally {
      watcher.close()
    }
    const name = file.slice(dir.length + 1)
    expect(seen[0]).toBe(name + PARTIAL_SUFFIX)
    expect(seen).toContain(name)
    expect(readdirSync(dir)).toEqual([name])
  })

  it('a copy left unfinished is no backup: not listed, not the day’s backup, not restorable; gone after a day', async () => {
    app = await tempApp()
    const dir = join(app.dir, 'backups-cut')
    const done = await takeBackup(app.services.db, dir, 'daily', app.clock.now())
    // Tomorrow's copy was cut off half-way, as a power cut leaves it.
    app.clock.advance(24 * 60 * 60 * 1000)
    const cut = done.replace('20261125T010000Z', '20261126T010000Z') + PARTIAL_SUFFIX
    copyFileSync(done, cut)
    truncateSync(cut, 4096)
    expect(listBackups(dir).map((b) => b.file)).toEqual([done])
    await expect(restoreBackup(cut, join(app.dir, 'other.sqlite'))).rejects.toThrow(/never finished/)
    expect(existsSync(join(app.dir, 'other.sqlite'))).toBe(false)
    // The day's backup is still due, and is written in full over the cut-off copy.
    const taken = await backupIfDue(app.services.db, dir, app.clock)
    expect(taken).toBe(cut.slice(0, -PARTIAL_SUFFIX.length))
    expect(listBackups(dir)).toHaveLength(2)
    expect(existsSync(cut)).toBe(false)
    // An unfinished copy younger than a day may be another PC's copy in progress; an older one goes.
    const stale = join(dir, 'token-desk-20261120T010000Z-manual.sqlite' + PARTIAL_SUFFIX)
    copyFileSync(done, stale)
    const young = join(dir, 'token-desk-20261126T020000Z-manual.sqlite' + PARTIAL_SUFFIX)
    copyFileSync(done, young)
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    utimesSync(stale, twoDaysAgo, twoDaysAgo)
    await takeBackup(app.services.db, dir, 'manual', app.clock.now())
    expect(existsSync(stale)).toBe(false)
    expect(existsSync(young)).toBe(true)
  })
})
