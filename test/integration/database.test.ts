import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/main/app'
import { FakeClock } from '../../src/main/clock'
import { createHandlers } from '../../src/main/ipc/handlers'
import { FileKeyStore } from '../../src/core/security/keyStore'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

describe('the local database', () => {
  it('migrates an empty file to the current schema', async () => {
    app = await tempApp({ demo: false })
    const { db } = app.services
    const tables = (await db.raw(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)) as {
      name: string
    }[]
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'accounts',
        'audit',
        'branches',
        'customers',
        'inventory',
        'settings',
        'staff',
        'tokens',
      ]),
    )
    const applied = await db('knex_migrations').pluck('name')
    expect(applied).toEqual([
      '001_foundation',
      '002_counter',
      '003_revocations',
      '004_sync',
      '005_workstations',
      '006_speed',
      '007_hardening',
      '008_reports',
      '009_h14_problem_secrets',
    ])
  })

  it('runs with WAL, foreign keys on and synchronous=FULL', async () => {
    app = await tempApp({ demo: false })
    const { db } = app.services
    expect(await db.raw('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }])
    expect(await db.raw('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }])
    expect(await db.raw('PRAGMA synchronous')).toEqual([{ synchronous: 2 }])
  })

  it('refuses receipts being edited or deleted', async () => {
    app = await tempApp()
    const { db } = app.services
    await db('receipts').insert({
      receipt_no: '001-00-20261125-0001',
      branch_code: '001',
      business_date: '2026-11-25',
      seq: 1,
      staff_id: 'T001',
      cif: '1000001',
      method: 'cash',
      amount_yen: 1100,
      tax_yen: 100,
      created_at: '2026-11-25T01:00:00Z',
    })
    await expect(db('receipts').update({ amount_yen: 0 })).rejects.toThrow(/never edited/)
    await expect(db('receipts').delete()).rejects.toThrow(/never deleted/)
  })

  it('refuses audit rows being edited or deleted', async () => {
    app = await tempApp()
    const { db } = app.services
    await expect(db('audit').update({ actor: 'X' })).rejects.toThrow(/never updated/)
    await expect(db('audit').delete()).rejects.toThrow(/never deleted/)
  })

  it('seeds the demo bank once: 2,000 customers, 50 hard tokens in stock with sealed seeds', async () => {
    app = await tempApp()
    const { db } = app.services
    expect(await db('customers').count({ n: '*' })).toEqual([{ n: 2000 }])
    const stock = await db('inventory').where({ state: 'in_stock' })
    expect(stock).toHaveLength(50)
    for (const token of stock) expect(token.seed_sealed).toMatch(/^v1\./)
    const staff = await db('staff').select('staff_id', 'password_hash')
    for (const s of staff) expect(s.password_hash).toMatch(/^scrypt\$/)
  })

  it('opens a demo database again without seeding it twice', async () => {
    app = await tempApp()
    const { dbFile, dir } = app
    await app.services.db.destroy()
    const again = await createApp({ dbFile, keyStore: new FileKeyStore(join(dir, 'desk.key')), demo: true })
    if (again.state !== 'ready') throw new Error('not ready')
    expect(await again.services.db('customers').count({ n: '*' })).toEqual([{ n: 2000 }])
    await again.close()
    app = { ...app, close: async () => {} }
  })
})

describe('a damaged database file', () => {
  it('is reported, every channel answers DB_CORRUPT, and the file is left exactly as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-corrupt-'))
    const dbFile = join(dir, 'desk.sqlite')
    writeFileSync(dbFile, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]))
    const before = readFileSync(dbFile)
    const corrupt = await createApp({
      dbFile,
      keyStore: new FileKeyStore(join(dir, 'k')),
      clock: new FakeClock(),
      demo: true,
    })
    expect(corrupt.state).toBe('corrupt')
    const invoke = createHandlers(corrupt)
    const status = await invoke('c', 'app.status', {})
    expect(status).toMatchObject({ ok: true, value: { state: 'corrupt' } })
    const login = await invoke('c', 'auth.login', { staffId: 'T001', password: 'demo-T001' })
    expect(login).toMatchObject({ ok: false, error: { code: 'DB_CORRUPT' } })
    expect(readFileSync(dbFile).equals(before)).toBe(true)
  })
})

describe('a database whose damage only the full check finds', () => {
  it('opens after the quick check, then the background check turns every channel to DB_CORRUPT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-bad-index-'))
    const dbFile = join(dir, 'desk.sqlite')
    const keyStore = new FileKeyStore(join(dir, 'k'))
    const first = await createApp({ dbFile, keyStore, clock: new FakeClock(), demo: true, startSync: false })
    if (first.state !== 'ready') throw new Error('not ready')
    expect(await first.integrityChecked).toBe('ok')
    // An index that no longer matches its table: pages and records are sound (quick_check passes),
    // only PRAGMA integrity_check compares index entries with rows.
    await first.services.db.raw('PRAGMA writable_schema = ON')
    await first.services.db.raw(
      "UPDATE sqlite_schema SET sql = 'CREATE INDEX accounts_number_index ON accounts (subject)' WHERE name = 'accounts_number_index'",
    )
    await first.services.db.raw('PRAGMA writable_schema = OFF')
    await first.close()

    const again = await createApp({ dbFile, keyStore, clock: new FakeClock(), startSync: false })
    expect(again.state).toBe('ready')
    if (again.state !== 'ready') return
    const invoke = createHandlers(again)
    expect(await again.integrityChecked).toBe('corrupt')
    expect(await invoke('c', 'app.status', {})).toMatchObject({ ok: true, value: { state: 'corrupt' } })
    expect(await invoke('c', 'auth.login', { staffId: 'T001', password: 'demo-T001' })).toMatchObject({
      ok: false,
      error: { code: 'DB_CORRUPT' },
    })
    await again.close()
  })

  it('stops the background check when the app closes', async () => {
    app = await tempApp()
    const closing = app.close()
    app = undefined
    await closing
  })
})
