// Opens a seeded branch file as the app does (timing the start and the background full check), then
// times every kind of counter search through the service and the same SQL through the raw driver with
// prepared statements, interleaved so both see the same noise. Prints JSON. Usage: lookupWorker.ts FILE ROUNDS
import sqlite3 from 'sqlite3'
import { createApp } from '../../src/main/app'
import { FakeClock } from '../../src/main/clock'
import { FileKeyStore } from '../../src/core/security/keyStore'
import { classifyQuery } from '../../src/main/services/customers'
import { lookupSql, PAGE_SIZE, type SearchBy } from '../../src/main/services/customerLookup'

export interface LookupResult {
  openMs: number
  fullCheckMs: number
  rss: number
  kinds: { kind: string; service: number[]; raw: number[] }[]
}

const call = <T>(fn: (cb: (e: Error | null, r: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))))

async function main(): Promise<void> {
  const dbFile = process.argv[2]!
  const rounds = Number(process.argv[3] ?? 500)
  const start = performance.now()
  const app = await createApp({
    dbFile,
    keyStore: new FileKeyStore(`${dbFile}.key`),
    clock: new FakeClock(),
    startSync: false,
  })
  const openMs = performance.now() - start
  if (app.state !== 'ready') throw new Error(app.message)
  const checked = await app.integrityChecked
  const fullCheckMs = performance.now() - start
  if (checked !== 'ok') throw new Error(`full check: ${checked}`)

  const raw = await call<sqlite3.Database>((cb) => {
    const db: sqlite3.Database = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (e) => cb(e, db))
  })
  const sample = await call<{ cif: string; key: string; phone: string; account: string }[]>((cb) =>
    raw.all(
      `SELECT c.cif, c.name_kana_key AS key, c.phone, a.branch_code || '-' || a.subject || '-' || a.number AS account
       FROM customers c JOIN accounts a ON a.cif = c.cif
       WHERE c.rowid % 97 = 0 AND a.subject = 'futsu' LIMIT 300`,
      cb,
    ),
  )
  const queries: Record<string, (i: number) => string> = {
    cif: (i) => sample[i % sample.length]!.cif,
    account: (i) => sample[i % sample.length]!.account.replace('futsu', '普通'),
    phone: (i) => sample[i % sample.length]!.phone,
    'kana, 2 chars': (i) => sample[i % sample.length]!.key.slice(0, 2),
    'kana, 3 chars': (i) => sample[i % sample.length]!.key.slice(0, 3),
    'kana, full name': (i) => sample[i % sample.length]!.key,
  }
  const prepared = new Map<SearchBy, { first: sqlite3.Statement; count: sqlite3.Statement }>()
  for (const by of ['cif', 'account', 'phone', 'kana'] as SearchBy[]) {
    const sql = lookupSql(by)
    prepared.set(by, {
      first: await call<sqlite3.Statement>((cb) => {
        const st: sqlite3.Statement = raw.prepare(sql.first, (e) => cb(e, st))
      }),
      count: await call<sqlite3.Statement>((cb) => {
        const st: sqlite3.Statement = raw.prepare(sql.count, (e) => cb(e, st))
      }),
    })
  }
  const svc = app.services.customers
  let rss = process.memoryUsage.rss()
  const kinds: LookupResult['kinds'] = []
  for (const [kind, query] of Object.entries(queries)) {
    const service: number[] = []
    const rawTimes: number[] = []
    for (let i = 0; i < rounds + 50; i++) {
      const q = query(i)
      let t = performance.now()
      const page = await svc.search(q, 1)
      const serviceMs = performance.now() - t
      if (!page.items.length) throw new Error(`${kind}: nothing found for ${q}`)
      // The same SQL the service runs, through the driver with statements prepared once.
      const { by, value } = classifyQuery(q)!
      const st = prepared.get(by)!
      const params = lookupSql(by).bind(value)
      t = performance.now()
      await Promise.all([
        call((cb) => st.first.all([...params, PAGE_SIZE + 1, 0], cb)),
        call((cb) => st.count.all(params, cb)),
      ])
      const rawMs = performance.now() - t
      if (i >= 50) {
        service.push(serviceMs)
        rawTimes.push(rawMs)
      }
      if (i % 50 === 0) rss = Math.max(rss, process.memoryUsage.rss())
    }
    kinds.push({ kind, service, raw: rawTimes })
  }
  await app.close()
  process.stdout.write(JSON.stringify({ openMs, fullCheckMs, rss, kinds } satisfies LookupResult))
}

void main()
