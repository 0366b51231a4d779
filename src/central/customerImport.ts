import { parse } from 'csv-parse/sync'
import type { Knex } from 'knex'
import { OTP_STATUSES } from '../shared/domain'
import { versionsFor } from './db'

/**
 * `customers import --file FILE.csv`: UTF-8 with or without BOM, a header row, these columns:
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

export async function importCustomers(
  db: Knex,
  csv: string,
  now: Date,
): Promise<{ imported: number; updated: number }> {
  const rows = parse(csv, { bom: true, columns: true, skip_empty_lines: true, trim: true }) as Record<
    string,
    string
  >[]
  const problems: string[] = []
  const branches = new Set<string>(await db('branches').pluck('code'))
  rows.forEach((r, i) => {
    const line = i + 2
    if (!/^\d{7}$/.test(r['cif'] ?? '')) problems.push(`line ${line}: cif must be 7 digits`)
    if (!branches.has(r['branch'] ?? '')) problems.push(`line ${line}: unknown branch ${r['branch'] ?? ''}`)
    if (!r['name_kanji'] || !r['name_kana']) problems.push(`line ${line}: names are required`)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r['birth_date'] ?? ''))
      problems.push(`line ${line}: birth_date is YYYY-MM-DD`)
    for (const a of (r['accounts'] ?? '').split(';').filter(Boolean)) {
      if (!/^\d{3}-(futsu|toza|chochiku)-\d{7}$/.test(a))
        problems.push(`line ${line}: account ${a} is not 店番-科目-口座番号`)
    }
    if (r['otp_status'] && !(OTP_STATUSES as readonly string[]).includes(r['otp_status']))
      problems.push(`line ${line}: unknown otp_status ${r['otp_status']}`)
  })
  if (problems.length) throw new Error(`nothing imported:\n${problems.slice(0, 20).join('\n')}`)
  return db.transaction(async (trx) => {
    const version = await versionsFor(trx, rows.length)
    let imported = 0
    let updated = 0
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
    }
    return { imported, updated }
  })
}
