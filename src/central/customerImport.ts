import { parse } from 'csv-parse/sync'
import type { Knex } from 'knex'
import { OTP_STATUSES } from '../shared/domain'
import type { Progress } from '../shared/progress'
import { versionsFor } from './db'

/**
 * `customers import --file FILE.csv` and the console's upload: UTF-8 with or without BOM, a header row,
 * these columns:
 *   cif (7 digits), branch (3 digits), name_kanji, name_kana, birth_date (YYYY-MM-DD), phone,
 *   accounts (店番-科目-口座番号 joined by ";", 科目 as futsu/toza/chochiku), otp_status (optional;
 *   default not_applied).
 * Every row is checked first; one bad row refuses the whole file. Existing CIFs are updated.
 */
export const CUSTOMER_CSV_COLUMNS = [
  'cif',
  'branch',
  'name_kanji',
  'name_kana',
  'birth_date',
  'phone',
  'accounts',
  'otp_status',
] as const

/** One problem, by the file's line number (the header is line 1); `code` is for the console's words. */
export interface CsvProblem {
  line: number
  column: string | null
  code:
    | 'CSV_SYNTAX'
    | 'MISSING_COLUMN'
    | 'CIF_FORMAT'
    | 'CIF_REPEATED'
    | 'UNKNOWN_BRANCH'
    | 'NAME_REQUIRED'
    | 'BIRTH_DATE_FORMAT'
    | 'ACCOUNT_FORMAT'
    | 'UNKNOWN_OTP_STATUS'
  value: string | null
}

const PROBLEM_TEXT: Record<CsvProblem['code'], string> = {
  CSV_SYNTAX: 'the line is not valid CSV',
  MISSING_COLUMN: 'a required column is missing from the header',
  CIF_FORMAT: 'cif must be 7 digits',
  CIF_REPEATED: 'this cif appears earlier in the file',
  UNKNOWN_BRANCH: 'unknown branch',
  NAME_REQUIRED: 'names are required',
  BIRTH_DATE_FORMAT: 'birth_date is YYYY-MM-DD',
  ACCOUNT_FORMAT: 'account is not 店番-科目-口座番号',
  UNKNOWN_OTP_STATUS: 'unknown otp_status',
}

export const describeProblem = (p: CsvProblem) =>
  `line ${p.line}: ${PROBLEM_TEXT[p.code]}${p.value ? ` (${p.value})` : ''}`

type Row = Record<string, string>

/**
 * Where a large import is: `checking` every line (done counts checked lines), then `writing` the rows
 * (done counts written rows), then `done`. Within a phase `done` only grows; `total` is the file's rows.
 * Called inside the import's transaction, so a listener must be quick (throttle before drawing).
 */
export type ImportPhase = 'checking' | 'writing' | 'done'
export interface ImportProgress extends Progress {
  phase: ImportPhase
  total: number
}
export type ImportProgressListener = (progress: ImportProgress) => void

/** How often the row loops report: often enough for a smooth bar, rarely enough to cost nothing. */
const REPORT_EVERY = 100

export interface CheckedCsv {
  rows: Row[]
  problems: CsvProblem[]
  fresh: number
  updates: number
}

/** Checks every line against the rules above and central's branches; writes nothing. */
export async function checkCustomerCsv(
  db: Knex | Knex.Transaction,
  csv: string,
  onProgress?: ImportProgressListener,
): Promise<CheckedCsv> {
  let rows: Row[]
  try {
    rows = parse(csv, { bom: true, columns: true, skip_empty_lines: true, trim: true }) as Row[]
  } catch (e) {
    const line = Number((e as { lines?: number }).lines ?? 1)
    return {
      rows: [],
      problems: [{ line, column: null, code: 'CSV_SYNTAX', value: null }],
      fresh: 0,
      updates: 0,
    }
  }
  const total = rows.length
  onProgress?.({ phase: 'checking', done: 0, total })
  const problems: CsvProblem[] = []
  const header = rows[0] ? Object.keys(rows[0]) : []
  for (const column of CUSTOMER_CSV_COLUMNS.filter((c) => c !== 'otp_status'))
    if (rows.length && !header.includes(column))
      problems.push({ line: 1, column, code: 'MISSING_COLUMN', value: column })
  if (problems.length) return { rows, problems, fresh: 0, updates: 0 }
  const branches = new Set<string>(await db('branches').pluck('code'))
  const seen = new Set<string>()
  rows.forEach((r, i) => {
    const line = i + 2
    const add = (column: string, code: CsvProblem['code'], value: string | null = r[column] ?? null) =>
      problems.push({ line, column, code, value })
    const cif = r['cif'] ?? ''
    if (!/^\d{7}$/.test(cif)) add('cif', 'CIF_FORMAT')
    else if (seen.has(cif)) add('cif', 'CIF_REPEATED')
    seen.add(cif)
    if (!branches.has(r['branch'] ?? '')) add('branch', 'UNKNOWN_BRANCH')
    if (!r['name_kanji']) add('name_kanji', 'NAME_REQUIRED', null)
    if (!r['name_kana']) add('name_kana', 'NAME_REQUIRED', null)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r['birth_date'] ?? '') || Number.isNaN(Date.parse(r['birth_date'] ?? '')))
      add('birth_date', 'BIRTH_DATE_FORMAT')
    for (const a of (r['accounts'] ?? '').split(';').filter(Boolean))
      if (!/^\d{3}-(futsu|toza|chochiku)-\d{7}$/.test(a)) add('accounts', 'ACCOUNT_FORMAT', a)
    if (r['otp_status'] && !(OTP_STATUSES as readonly string[]).includes(r['otp_status']))
      add('otp_status', 'UNKNOWN_OTP_STATUS')
    if ((i + 1) % REPORT_EVERY === 0) onProgress?.({ phase: 'checking', done: i + 1, total })
  })
  const known = new Set<string>()
  const cifs = [...seen].filter((c) => /^\d{7}$/.test(c))
  for (let i = 0; i < cifs.length; i += 500)
    for (const c of await db('customers')
      .whereIn('cif', cifs.slice(i, i + 500))
      .pluck('cif'))
      known.add(String(c))
  onProgress?.({ phase: 'checking', done: total, total })
  return { rows, problems, fresh: cifs.length - known.size, updates: known.size }
}

/** Writes a checked file in the caller's transaction: new CIFs inserted, known ones updated (their OTP status kept). */
export async function writeCustomerRows(
  trx: Knex.Transaction,
  rows: Row[],
  now: Date,
  onProgress?: ImportProgressListener,
) {
  // A version per 500 rows, so a branch's pull can page a big file (db.ts: versionsFor).
  const version = await versionsFor(trx, rows.length)
  let imported = 0
  let updated = 0
  const total = rows.length
  onProgress?.({ phase: 'writing', done: 0, total })
  for (const [index, r] of rows.entries()) {
    const accounts = (r['accounts'] ?? '')
      .split(';')
      .filter(Boolean)
      .map((a) => {
        const [branchCode, subject, number] = a.split('-')
        return { branchCode, subject, number }
      })
    const exists = await trx('customers').where({ cif: r['cif'] }).first()
    const values = {
      branch_code: r['branch'],
      name_kanji: r['name_kanji'],
      name_kana: r['name_kana'],
      birth_date: r['birth_date'],
      phone: r['phone'] ?? '',
      accounts_json: JSON.stringify(accounts),
      version: version(index),
    }
    if (exists) {
      await trx('customers').where({ cif: r['cif'] }).update(values)
      updated++
    } else {
      await trx('customers').insert({
        cif: r['cif'],
        ...values,
        otp_status: r['otp_status'] || 'not_applied',
        status_changed_at: now.toISOString(),
      })
      imported++
    }
    if ((index + 1) % REPORT_EVERY === 0 || index + 1 === total)
      onProgress?.({ phase: 'writing', done: index + 1, total })
  }
  return { imported, updated }
}

/**
 * The import without a caller or HQ audit, for tests and benchmarks that load customers directly.
 * HQ's own path (CLI and console) is hqCustomers.importCustomerCsv, which checks the role and audits.
 */
export async function importCustomers(
  db: Knex,
  csv: string,
  now: Date,
  onProgress?: ImportProgressListener,
): Promise<{ imported: number; updated: number }> {
  const result = await db.transaction(async (trx) => {
    const checked = await checkCustomerCsv(trx, csv, onProgress)
    if (checked.problems.length)
      throw new Error(`nothing imported:\n${checked.problems.slice(0, 20).map(describeProblem).join('\n')}`)
    return { rows: checked.rows.length, ...(await writeCustomerRows(trx, checked.rows, now, onProgress)) }
  })
  // `done` only once the transaction has committed: until then the rows are not there.
  onProgress?.({ phase: 'done', done: result.rows, total: result.rows })
  return { imported: result.imported, updated: result.updated }
}
