import sqlite3 from 'sqlite3'
import type { Knex } from 'knex'

/**
 * The counter's search box at bank scale (a million customers): each kind of search is a handful of
 * prepared statements on a read-only connection of its own, so a search neither waits behind a sync
 * drain on the writer's connection nor pays knex's query building, which costs more than the query.
 * WAL mode lets this connection read the last committed state while the writer works.
 */

export type SearchBy = 'cif' | 'account' | 'phone' | 'kana'

/** Where the next page starts: the last row's sort key (keyset paging, no OFFSET). */
export interface SearchCursor {
  key: string
  cif: string
}

export interface LookupRow {
  cif: string
  name_kanji: string
  name_kana: string
  birth_date: string
  phone: string
  otp_status: string
  name_kana_key: string
}

export const PAGE_SIZE = 20
/** A prefix of two kana matches tens of thousands at a big branch: counting stops at ten pages ("200件以上"). */
export const COUNT_CAP = 200

const COLUMNS = 'cif, name_kanji, name_kana, birth_date, phone, otp_status, name_kana_key'
const ORDER = 'ORDER BY name_kana_key, cif'

/** The condition for each kind; its parameters come from `bind` in the same order. */
const WHERE: Record<SearchBy, string> = {
  cif: 'cif = ?',
  phone: 'phone_digits >= ? AND phone_digits < ?',
  kana: 'name_kana_key >= ? AND name_kana_key < ?',
  account: 'cif IN (SELECT cif FROM accounts WHERE branch_code = ? AND subject = ? AND number = ?)',
}

function bind(by: SearchBy, value: string): string[] {
  if (by === 'phone') return [value, `${value}:`] // ':' sorts right after '9'
  if (by === 'kana') return [value, `${value}\uffff`]
  if (by === 'account') return value.split('-')
  return [value]
}

/** The SQL each search runs, shared with the benchmark that runs the same SQL through the raw driver. */
export function lookupSql(by: SearchBy) {
  return {
    first: `SELECT ${COLUMNS} FROM customers WHERE ${WHERE[by]} ${ORDER} LIMIT ? OFFSET ?`,
    after: `SELECT ${COLUMNS} FROM customers WHERE ${WHERE[by]} AND (name_kana_key, cif) > (?, ?) ${ORDER} LIMIT ?`,
    count: `SELECT count(*) AS n FROM (SELECT 1 FROM customers WHERE ${WHERE[by]} LIMIT ${COUNT_CAP + 1})`,
    bind: (value: string) => bind(by, value),
  }
}

type Statements = Record<
  SearchBy,
  { first: sqlite3.Statement; after: sqlite3.Statement; count: sqlite3.Statement }
>

export class CustomerLookup {
  private opened: Promise<{ conn: sqlite3.Database; statements: Statements }> | null = null

  /** `db` is the app's knex instance: only its file name is used, to open a reader beside it. */
  constructor(private readonly db: Knex) {}

  private open() {
    this.opened ??= openReader(fileOf(this.db))
    return this.opened
  }

  /** One page of matches (one more row is read to know whether a next page exists) and a capped count. */
  async page(by: SearchBy, value: string, page: number, after?: SearchCursor) {
    const { statements } = await this.open()
    const s = statements[by]
    const params = bind(by, value)
    const [rows, counted] = await Promise.all([
      after
        ? all<LookupRow>(s.after, [...params, after.key, after.cif, PAGE_SIZE + 1])
        : all<LookupRow>(s.first, [...params, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE]),
      all<{ n: number }>(s.count, params),
    ])
    const n = Number(counted[0]?.n ?? 0)
    const items = rows.slice(0, PAGE_SIZE)
    const last = items[items.length - 1]
    return {
      rows: items,
      total: Math.min(n, COUNT_CAP),
      totalIsLowerBound: n > COUNT_CAP,
      next: rows.length > PAGE_SIZE && last ? { key: last.name_kana_key, cif: last.cif } : null,
    }
  }

  async close(): Promise<void> {
    if (!this.opened) return
    const { conn, statements } = await this.opened
    this.opened = null
    for (const kind of Object.values(statements))
      for (const st of Object.values(kind)) await new Promise<void>((r) => st.finalize(() => r()))
    await new Promise<void>((resolve) => conn.close(() => resolve()))
  }
}

function fileOf(db: Knex): string {
  const connection = db.client.config.connection as { filename?: string }
  if (!connection?.filename) throw new Error('customer lookup needs a database file')
  return connection.filename
}

async function openReader(file: string) {
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
    const c = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (e) => (e ? reject(e) : resolve(c)))
  })
  await new Promise<void>((resolve, reject) =>
    conn.exec('PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;', (e) => (e ? reject(e) : resolve())),
  )
  const prepare = (sql: string) =>
    new Promise<sqlite3.Statement>((resolve, reject) => {
      const st = conn.prepare(sql, (e) => (e ? reject(e) : resolve(st)))
    })
  const statements = {} as Statements
  for (const by of Object.keys(WHERE) as SearchBy[]) {
    const sql = lookupSql(by)
    statements[by] = {
      first: await prepare(sql.first),
      after: await prepare(sql.after),
      count: await prepare(sql.count),
    }
  }
  return { conn, statements }
}

function all<T>(st: sqlite3.Statement, params: unknown[]): Promise<T[]> {
  return new Promise((resolve, reject) => st.all(params, (e, rows) => (e ? reject(e) : resolve(rows as T[]))))
}
