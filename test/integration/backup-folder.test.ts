import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, type TokenDeskApp } from '../../src/main/app'
import { FakeClock } from '../../src/main/clock'
import { backupDirFor, listBackups } from '../../src/main/db/backup'
import { backupFolderOf, backupFolderOfFile } from '../../src/main/db/backupFolder'
import { openDb } from '../../src/main/db/connection'
import { createHandlers, type Invoke } from '../../src/main/ipc/handlers'
import { FileKeyStore } from '../../src/core/security/keyStore'
import { login } from '../support/counter'
import { snapshot } from '../support/tempApp'

/**
 * 端末設定 › バックアップ on real SQLite files: a supervisor chooses the folder, the daily, manual and
 * before-migration backups land there from then on, a refused folder changes nothing, and
 * `npm run db:restore` looks there.
 */
let dir: string
let dbFile: string
let clock: FakeClock
let open: { app: Extract<TokenDeskApp, { state: 'ready' }>; invoke: Invoke } | undefined

async function start(options: { dailyBackups?: boolean } = {}) {
  const app = await createApp({
    dbFile,
    keyStore: new FileKeyStore(join(dir, 'desk.key')),
    clock,
    demo: true,
    startSync: false,
    ...options,
  })
  if (app.state !== 'ready') throw new Error(app.message)
  const invoke = createHandlers(app, (channel, e) => {
    throw new Error(`${channel}: ${String(e)}`)
  })
  open = { app, invoke }
  await login({ invoke, services: app.services } as never, 'sup', 'S001')
  await login({ invoke, services: app.services } as never, 'admin', 'A001')
  await login({ invoke, services: app.services } as never, 'teller', 'T001')
  return open
}

async function stop(): Promise<void> {
  await open?.app.close()
  open = undefined
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-backup-folder-'))
  dbFile = join(dir, 'data', 'desk.sqlite')
  mkdirSync(join(dir, 'data'))
  clock = new FakeClock('2026-11-25T01:00:00Z')
})
afterEach(async () => {
  await stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Waits (on real I/O, not timers: those may be faked) until the condition holds, for at most 10 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

type Status = {
  folder: string
  isDefault: boolean
  defaultFolder: string
  last: { fileName: string; kind: string; takenAt: string } | null
}
async function value<T>(promise: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const result = await promise
  if (!result.ok) throw new Error(JSON.stringify(result.error))
  return result.value as T
}

describe('the backup folder setting', () => {
  it('starts beside the database; a supervisor chooses a new folder (created), with an audit row', async () => {
    const { invoke, app } = await start()
    const first = await value<Status>(invoke('sup', 'backup.status', {}))
    expect(first).toMatchObject({
      folder: backupDirFor(dbFile),
      isDefault: true,
      defaultFolder: backupDirFor(dbFile),
    })

    const chosen = join(dir, 'nas', 'token-desk', 'backups')
    const saved = await value<Status>(invoke('sup', 'backup.setFolder', { backupFolder: `  ${chosen}/  ` }))
    expect(saved).toMatchObject({ folder: chosen, isDefault: false, last: null })
    expect(existsSync(chosen)).toBe(true)
    expect(await app.services.db('settings').where({ key: 'backup_folder' }).first()).toMatchObject({
      value: chosen,
    })
    const audit = await app.services.db('audit').where({ action: 'settings.backup_folder' })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor: 'S001', entity_key: 'backup_folder' })
    expect(JSON.parse(audit[0].before_json)).toEqual({ folder: backupDirFor(dbFile) })
    expect(JSON.parse(audit[0].after_json)).toEqual({ folder: chosen })
    // The admin may too; a teller may not.
    expect((await invoke('admin', 'backup.status', {})).ok).toBe(true)
    expect(await invoke('teller', 'backup.setFolder', { backupFolder: dir })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })

  it('「今すぐバックアップ」 lands in the chosen folder; the status shows it as the latest', async () => {
    const { invoke, app } = await start()
    const chosen = join(dir, 'chosen')
    await value(invoke('sup', 'backup.setFolder', { backupFolder: chosen }))
    clock.advanceMinutes(2)
    const after = await value<Status>(invoke('admin', 'backup.now', {}))
    const files = listBackups(chosen)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({ kind: 'manual', takenAt: new Date('2026-11-25T01:02:00Z') })
    expect(after.last).toEqual({
      fileName: files[0]!.file.slice(chosen.length + 1),
      kind: 'manual',
      takenAt: '2026-11-25T01:02:00.000Z',
    })
    // Nothing went beside the database.
    expect(listBackups(backupDirFor(dbFile))).toHaveLength(0)
    // The copy is a sound database holding the desk's data.
    const copy = openDb(files[0]!.file)
    try {
      expect((await copy('customers').count({ n: '*' }).first())!.n).toBeGreaterThan(0)
    } finally {
      await copy.destroy()
    }
    const audit = await app.services.db('audit').where({ action: 'backup.take' })
    expect(audit).toHaveLength(1)
    expect(JSON.parse(audit[0].after_json)).toEqual({ fileName: after.last!.fileName, folder: chosen })
  })

  it('refuses a relative path, a file, a folder it cannot create and one it cannot write: nothing changes', async () => {
    const { invoke, app } = await start()
    const chosen = join(dir, 'good')
    await value(invoke('sup', 'backup.setFolder', { backupFolder: chosen }))
    const aFile = join(dir, 'a-file.txt')
    writeFileSync(aFile, 'not a folder')
    const before = await snapshot(app.services.db, ['settings', 'audit'])
    const refusals: [string, string][] = [
      ['backups', 'not_absolute'],
      ['.\\backups', 'not_absolute'],
      [aFile, 'not_a_folder'],
      // Under a file: no folder can be made there.
      [join(aFile, 'backups'), 'cannot_create'],
    ]
    // A folder that exists but cannot be written to. As root permission bits do not stop a write,
    // so Linux's /proc (which takes no files) stands in; otherwise a folder made read-only.
    if (process.getuid?.() === 0) refusals.push(['/proc', 'not_writable'])
    else {
      const readOnly = join(dir, 'read-only')
      mkdirSync(readOnly, { mode: 0o500 })
      refusals.push([readOnly, 'not_writable'])
    }
    for (const [backupFolder, problem] of refusals) {
      const result = await invoke('sup', 'backup.setFolder', { backupFolder })
      expect(result, backupFolder).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', fields: { backupFolder: problem } },
      })
    }
    expect(await snapshot(app.services.db, ['settings', 'audit'])).toBe(before)
    expect(existsSync(join(dir, 'data', 'backups'))).toBe(false)
    expect((await value<Status>(invoke('sup', 'backup.status', {}))).folder).toBe(chosen)
  })

  it('the daily backup follows the chosen folder while the app is open; the before-migration backup uses it', async () => {
    const { invoke, app } = await start()
    const first = join(dir, 'daily-here')
    await value(invoke('sup', 'backup.setFolder', { backupFolder: first }))
    // The app's own daily schedule (the shells start it): its timers are driven by hand, the backups are
    // real. Two minutes covers a first look at start or shortly after it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    try {
      const stopDaily = app.services.backups.scheduleDaily((e) => {
        throw e
      })
      await vi.advanceTimersByTimeAsync(2 * 60_000)
      await until(() => listBackups(first).length === 1)
      expect(listBackups(first).map((b) => b.kind)).toEqual(['daily'])

      // Another folder is chosen while the app is open: the next day's backup goes there.
      const second = join(dir, 'daily-moved')
      await value(invoke('sup', 'backup.setFolder', { backupFolder: second }))
      clock.advance(24 * 60 * 60 * 1000)
      await vi.advanceTimersByTimeAsync(60 * 60 * 1000)
      await until(() => listBackups(second).length === 1)
      await stopDaily()
      expect(listBackups(second).map((b) => b.kind)).toEqual(['daily'])
      expect(listBackups(first)).toHaveLength(1)
    } finally {
      vi.useRealTimers()
    }
    await stop()

    // A pending migration: the setting is read before migrating, and the copy goes to the chosen folder.
    const db = openDb(dbFile)
    await db.schema.dropTable('approval_locks')
    await db('knex_migrations').where({ name: '007_hardening' }).delete()
    await db.destroy()
    clock.advanceMinutes(1)
    await start()
    expect(listBackups(join(dir, 'daily-moved')).map((b) => b.kind)).toEqual(['premigration', 'daily'])
    expect(listBackups(backupDirFor(dbFile))).toHaveLength(0)
    expect(await open!.app.services.db.schema.hasTable('approval_locks')).toBe(true)
  })

  it('a chosen folder that cannot be used at start does not stop the PC opening: the copy goes beside the database', async () => {
    const { invoke } = await start()
    const chosen = join(dir, 'network-drive')
    await value(invoke('sup', 'backup.setFolder', { backupFolder: chosen }))
    await stop()
    // The "drive" is gone and a file sits where the folder was; a migration is pending.
    rmSync(chosen, { recursive: true })
    writeFileSync(chosen, 'not a folder')
    const db = openDb(dbFile)
    await db.schema.dropTable('approval_locks')
    await db('knex_migrations').where({ name: '007_hardening' }).delete()
    await db.destroy()
    const { invoke: again } = await start()
    expect(listBackups(backupDirFor(dbFile)).map((b) => b.kind)).toEqual(['premigration'])
    // The setting is kept (it is the supervisor's choice); 今すぐバックアップ says why it cannot be used.
    expect(await again('sup', 'backup.now', {})).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { backupFolder: 'not_a_folder' } },
    })
  })

  it('falls back to beside the database when the settings table does not exist yet', async () => {
    // A database file with no tables at all (a PC before its first migration).
    const empty = openDb(dbFile)
    await empty.raw('create table something_else (id integer)')
    expect(await backupFolderOf(empty, dbFile)).toEqual({ folder: backupDirFor(dbFile), isDefault: true })
    await empty.destroy()
    expect(await backupFolderOfFile(dbFile)).toEqual({ folder: backupDirFor(dbFile), isDefault: true })
    expect(await backupFolderOfFile(join(dir, 'missing.sqlite'))).toEqual({
      folder: backupDirFor(join(dir, 'missing.sqlite')),
      isDefault: true,
    })
  })

  it('npm run db:restore lists and restores from the chosen folder, and says where it looked', async () => {
    const { invoke } = await start()
    const chosen = join(dir, 'restore-from')
    await value(invoke('sup', 'backup.setFolder', { backupFolder: chosen }))
    const taken = await value<Status>(invoke('sup', 'backup.now', {}))
    await stop()
    const cli = (...args: string[]) =>
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'src/main/cli/dbRestore.ts', ...args, '--db', dbFile],
        {
          encoding: 'utf8',
        },
      )
    const listed = cli('--list')
    expect(listed).toContain(`looked in ${chosen} — the folder chosen on the settings screen: 1 backup(s)`)
    expect(listed).toContain(`looked in ${backupDirFor(dbFile)} — beside the database`)
    expect(listed).toContain(join(chosen, taken.last!.fileName))

    // A name that is nowhere: refused, saying where it looked, and nothing is touched.
    const missing = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/main/cli/dbRestore.ts',
        '--from',
        'token-desk-20000101T000000Z-daily.sqlite',
        '--db',
        dbFile,
      ],
      { encoding: 'utf8' },
    )
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain(
      `looked in:\n  ${join(chosen, 'token-desk-20000101T000000Z-daily.sqlite')}`,
    )
    expect(missing.stderr).toContain(join(backupDirFor(dbFile), 'token-desk-20000101T000000Z-daily.sqlite'))
    expect(listBackups(chosen).map((b) => b.kind)).toEqual(['manual'])

    // The bare file name the settings screen shows is found in the chosen folder.
    const restored = cli('--from', taken.last!.fileName)
    expect(restored).toContain(`restored ${dbFile} from ${join(chosen, taken.last!.fileName)}`)
    // The database before the restore was kept in the chosen folder too.
    expect(restored).toContain(`kept as ${chosen}`)
    expect(
      listBackups(chosen)
        .map((b) => b.kind)
        .sort(),
    ).toEqual(['manual', 'prerestore'])
  })
})
