import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileKeyStore } from '../../src/core/security/keyStore'
import { createApp, type TokenDeskApp } from '../../src/main/app'
import { AppHost } from '../../src/main/appHost'
import { FakeClock } from '../../src/main/clock'
import { openDb } from '../../src/main/db/connection'
import { createHandlers } from '../../src/main/ipc/handlers'
import { DATA_KEY_CHECK } from '../../src/main/security/dataKeyCheck'
import { channels, type ChannelName } from '../../src/shared/contract'
import { customerIn, issueHard, login, stockToken } from '../support/counter'
import { BUSINESS_TABLES, snapshot } from '../support/tempApp'

/**
 * A PC whose data key no longer fits its database: the database still opens, every counter channel
 * answers KEY_LOST and changes nothing, the unsent work goes to a file, and only then is the PC started
 * anew (the old files kept aside). Browser mode's key file stands in for the OS key store here;
 * test/integration/desktop-main.test.ts runs the same through the Electron shell.
 */
let dir: string
let dbFile: string
let keyFile: string
const opened: { close(): Promise<void> }[] = []
const clock = new FakeClock('2026-11-25T01:00:00Z')

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-key-'))
  dbFile = join(dir, 'token-desk.sqlite')
  keyFile = join(dir, 'token-desk.key')
})
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close().catch(() => {})
  rmSync(dir, { recursive: true, force: true })
})

async function open(options: { demo?: boolean } = {}): Promise<TokenDeskApp> {
  const app = await createApp({
    dbFile,
    keyStore: new FileKeyStore(keyFile),
    clock,
    startSync: false,
    ...options,
  })
  opened.push(app)
  return app
}

/** The demo bank with one issuance waiting for central, closed again. */
async function deskWithUnsentWork(): Promise<void> {
  const app = await open({ demo: true })
  if (app.state !== 'ready') throw new Error(app.message)
  const desk = { services: app.services, clock, invoke: createHandlers(app) }
  await login(desk, 'pc', 'T001')
  const cif = await customerIn(desk, 'not_applied')
  expect(
    await issueHard(desk, 'pc', cif, stockToken('totp'), { method: 'cash', tenderedYen: 1100 }),
  ).toMatchObject({
    ok: true,
  })
  await app.close()
}

async function tablesNow(): Promise<string> {
  const db = openDb(dbFile)
  try {
    return await snapshot(db, [...BUSINESS_TABLES, 'outbox', 'receipts', 'requests', 'ledger_entries'])
  } finally {
    await db.destroy()
  }
}

describe('the data key check', () => {
  it('is recorded at the first start and matches at the next', async () => {
    const first = await open()
    expect(first.state).toBe('ready')
    await first.close()
    const db = openDb(dbFile)
    const row = await db('settings').where({ key: DATA_KEY_CHECK }).first()
    await db.destroy()
    expect(row.value).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    // The key itself is not in the database.
    expect(row.value).not.toContain(readFileSync(keyFile, 'utf8').trim())
    expect((await open()).state).toBe('ready')
  })

  it('a key file replaced (or a database copied without its key): mismatch; a damaged key file: unreadable', async () => {
    await deskWithUnsentWork()
    writeFileSync(keyFile, randomBytes(32).toString('base64'))
    const replaced = await open()
    expect(replaced).toMatchObject({ state: 'keyLost' })
    if (replaced.state !== 'keyLost') return
    expect(replaced.recovery.reason).toBe('mismatch')
    await replaced.close()

    writeFileSync(keyFile, 'not a key')
    const damaged = await open()
    expect(damaged.state === 'keyLost' && damaged.recovery.reason).toBe('unreadable')
  })
})

describe('a PC whose key is lost', () => {
  it('answers KEY_LOST on every other channel and changes nothing; the recovery channels work', async () => {
    await deskWithUnsentWork()
    const before = await tablesNow()
    writeFileSync(keyFile, randomBytes(32).toString('base64'))
    const app = await open()
    const invoke = createHandlers(app)
    expect(await invoke('pc', 'app.status', {})).toMatchObject({ ok: true, value: { state: 'keyLost' } })
    for (const channel of Object.keys(channels) as ChannelName[]) {
      if (channel === 'app.status' || channel.startsWith('keyRecovery.')) continue
      expect(await invoke('pc', channel, {}), channel).toMatchObject({
        ok: false,
        error: { code: 'KEY_LOST' },
      })
    }
    const status = await invoke('pc', 'keyRecovery.status', {})
    expect(status).toMatchObject({
      ok: true,
      value: {
        reason: 'mismatch',
        credentialChanges: 0,
        branchCode: '001',
        exportFolder: join(dir, 'exports'),
        retiredFolder: join(dir, 'retired'),
      },
    })
    const unsent = (status as { value: { unsent: number } }).value.unsent
    expect(unsent).toBeGreaterThan(0)
    // Starting anew before the unsent work is in a file is refused, and moves nothing.
    expect(await invoke('pc', 'keyRecovery.reenrol', {})).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
    expect(existsSync(dbFile)).toBe(true)
    const exported = await invoke('pc', 'keyRecovery.export', {})
    expect(exported).toMatchObject({ ok: true, value: { rows: unsent } })
    expect(
      JSON.parse(readFileSync((exported as { value: { path: string } }).value.path, 'utf8')),
    ).toMatchObject({
      mutations: expect.arrayContaining([expect.objectContaining({ name: 'token.issue_hard' })]),
    })
    await app.close()
    expect(await tablesNow()).toBe(before)
  })

  it('a PC whose key is readable has nothing to recover', async () => {
    const app = await open({ demo: true })
    const invoke = createHandlers(app)
    for (const channel of ['keyRecovery.status', 'keyRecovery.export', 'keyRecovery.reenrol'] as const)
      expect(await invoke('pc', channel, {})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    expect(existsSync(join(dir, 'exports'))).toBe(false)
    expect(existsSync(join(dir, 'retired'))).toBe(false)
  })

  it('starts anew behind the same handler entry point: old files kept aside, an empty database on 端末の初期設定', async () => {
    await deskWithUnsentWork()
    const oldKey = randomBytes(32).toString('base64')
    writeFileSync(keyFile, oldKey)
    const host = await AppHost.open(() => ({
      dbFile,
      keyStore: new FileKeyStore(keyFile),
      clock,
      startSync: false,
    }))
    opened.push(host)
    expect(host.current.state).toBe('keyLost')
    expect(await host.invoke('pc', 'keyRecovery.export', {})).toMatchObject({ ok: true })
    const answer = await host.invoke('pc', 'keyRecovery.reenrol', {})
    expect(answer).toEqual({ ok: true, value: { retiredFolder: join(dir, 'retired', '20261125T010000Z') } })
    expect(readdirSync(join(dir, 'retired', '20261125T010000Z')).sort()).toEqual([
      'token-desk.key',
      'token-desk.sqlite',
    ])
    expect(readFileSync(join(dir, 'retired', '20261125T010000Z', 'token-desk.key'), 'utf8')).toBe(oldKey)
    expect(host.current.state).toBe('ready')
    expect(await host.invoke('pc', 'app.status', {})).toMatchObject({ ok: true, value: { needsSetup: true } })
    // A new key for the new database, and the two fit.
    expect(readFileSync(keyFile, 'utf8')).not.toBe(oldKey)
    await host.close()
    const again = await AppHost.open(() => ({
      dbFile,
      keyStore: new FileKeyStore(keyFile),
      clock,
      startSync: false,
    }))
    opened.push(again)
    expect(again.current.state).toBe('ready')
  })
})

describe('starting anew twice at once (a double press, two windows)', () => {
  it('moves the files and opens a new database once; the other answer is a refusal', async () => {
    await deskWithUnsentWork()
    const oldKey = randomBytes(32).toString('base64')
    writeFileSync(keyFile, oldKey)
    let openings = 0
    const host = await AppHost.open(() => {
      openings++
      return { dbFile, keyStore: new FileKeyStore(keyFile), clock, startSync: false }
    })
    opened.push(host)
    expect(await host.invoke('pc', 'keyRecovery.export', {})).toMatchObject({ ok: true })
    const answers = await Promise.all([
      host.invoke('pc', 'keyRecovery.reenrol', {}),
      host.invoke('pc', 'keyRecovery.reenrol', {}),
    ])
    expect(answers).toEqual([
      { ok: true, value: { retiredFolder: join(dir, 'retired', '20261125T010000Z') } },
      { ok: false, error: expect.objectContaining({ code: 'CONFLICT' }) },
    ])
    expect(openings).toBe(2)
    expect(readFileSync(join(dir, 'retired', '20261125T010000Z', 'token-desk.key'), 'utf8')).toBe(oldKey)
    expect(host.current.state).toBe('ready')
    // Started anew: the new app has nothing to recover, and nothing more moves.
    expect(await host.invoke('pc', 'keyRecovery.reenrol', {})).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
    expect(readdirSync(join(dir, 'retired'))).toEqual(['20261125T010000Z'])
  })
})

describe('closing the host', () => {
  it('refuses calls from then on and waits for the ones running', async () => {
    const host = await AppHost.open(() => ({
      dbFile,
      keyStore: new FileKeyStore(keyFile),
      clock,
      demo: true,
      startSync: false,
    }))
    opened.push(host)
    const running = host.invoke('pc', 'auth.login', { staffId: 'T001', password: 'demo-T001' })
    const closing = host.close()
    expect(await host.invoke('pc', 'app.status', {})).toMatchObject({ ok: false, error: { code: 'CLOSING' } })
    expect(await running).toMatchObject({ ok: true })
    await closing
    expect(existsSync(`${dbFile}-wal`)).toBe(false)
  })
})
