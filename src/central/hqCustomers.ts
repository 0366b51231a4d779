import { requireHqRole } from './hqActor'
import { appendHqAudit } from './hqAudit'
import type { HqContext } from './hqContext'
import { HqError } from './hqError'
import {
  checkCustomerCsv,
  describeProblem,
  writeCustomerRows,
  type CsvProblem,
  type ImportProgressListener,
} from './customerImport'

/** At most this many problems are listed; the file is refused whatever the count. */
const MAX_PROBLEMS = 200

const DESK = ['hq_operator', 'hq_supervisor'] as const

/** The dry run: every line checked, problems listed by line, counts of new and updated customers; nothing written. */
export async function previewCustomerCsv(ctx: HqContext, csv: string) {
  requireHqRole(ctx.actor, DESK)
  const checked = await checkCustomerCsv(ctx.db, csv)
  return {
    rows: checked.rows.length,
    fresh: checked.fresh,
    updates: checked.updates,
    problems: checked.problems.slice(0, MAX_PROBLEMS),
    problemCount: checked.problems.length,
  }
}

/** The import: checked again inside the transaction; one bad line refuses the whole file. */
export async function importCustomerCsv(ctx: HqContext, csv: string, onProgress?: ImportProgressListener) {
  requireHqRole(ctx.actor, DESK)
  const result = await ctx.db.transaction(async (trx) => {
    const checked = await checkCustomerCsv(trx, csv, onProgress)
    if (checked.problems.length) {
      const problems: CsvProblem[] = checked.problems.slice(0, MAX_PROBLEMS)
      throw new HqError(
        'CSV_INVALID',
        `nothing imported:\n${problems.slice(0, 20).map(describeProblem).join('\n')}`,
        {
          problems,
          problemCount: checked.problems.length,
        },
      )
    }
    if (!checked.rows.length) throw new HqError('CSV_EMPTY', 'the file has no customer rows')
    const result = await writeCustomerRows(trx, checked.rows, ctx.now, onProgress)
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'customers.import',
      entity: 'customers',
      entityKey: checked.rows[0]!['cif'] ?? '-',
      after: { ...result, rows: checked.rows.length },
    })
    return result
  })
  // `done` after the commit: until then the rows are not there for anyone else.
  const rows = result.imported + result.updated
  onProgress?.({ phase: 'done', done: rows, total: rows })
  return result
}
