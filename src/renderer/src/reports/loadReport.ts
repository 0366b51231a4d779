import type { ChannelName } from '../../../shared/contract'
import type { AppError } from '../../../shared/result'
import type { ReportKind } from '../../../shared/reports'
import { toCsv } from '../../../shared/csv'
import { useSessionStore } from '../stores/session'
import type { useStepProgress } from '../progress'
import { cellText, monthsOf, reportDefinition } from './reportKinds'

export interface ReportFilter {
  kind: ReportKind
  from: string
  to: string
  staffId?: string
  overdueOnly?: boolean
}

export type ReportResult =
  | { ok: true; rows: Record<string, unknown>[] }
  | { ok: false; error: AppError }
  | { ok: false; cancelled: true }

/** Asks for a report, month by month where it counts work, moving the progress bar as each month arrives. */
export async function loadReport(
  filter: ReportFilter,
  progress: ReturnType<typeof useStepProgress>,
  describeMonth: (range: { from: string; to: string }) => string,
): Promise<ReportResult> {
  const store = useSessionStore()
  const def = reportDefinition(filter.kind)
  const base = {
    ...(filter.staffId ? { staffId: filter.staffId } : {}),
    ...(def.overdueFilter && filter.overdueOnly ? { overdueOnly: true } : {}),
  }
  const ranges = def.byMonth ? monthsOf(filter.from, filter.to) : [{ from: filter.from, to: filter.to }]
  let failure: AppError | null = null
  const parts = await progress.run(ranges, describeMonth, async (range) => {
    if (failure) return []
    const result = await store.call(def.channel as ChannelName, { ...base, ...range } as never)
    if (!result.ok) {
      failure = result.error
      progress.cancel()
      return []
    }
    return (result.value as { rows: Record<string, unknown>[] }).rows
  })
  if (failure) return { ok: false, error: failure }
  if (!parts) return { ok: false, cancelled: true }
  return { ok: true, rows: parts.flat() }
}

type Translate = (key: string, named?: Record<string, unknown>) => string

export function reportCsv(kind: ReportKind, rows: Record<string, unknown>[], t: Translate): string {
  const def = reportDefinition(kind)
  return toCsv(
    def.columns.map((c) => t(c.label)),
    rows.map((row) => def.columns.map((c) => c.csv(row, t))),
  )
}

export function reportCells(kind: ReportKind, row: Record<string, unknown>, t: Translate): string[] {
  return reportDefinition(kind).columns.map((c) => cellText(c, row, t))
}

export function csvFileName(filter: ReportFilter): string {
  return `token-desk-${filter.kind}-${filter.from.replace(/-/g, '')}-${filter.to.replace(/-/g, '')}.csv`
}
