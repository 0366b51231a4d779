import type { ChannelName } from '../../../shared/contract'
import type {
  FeeRow,
  OperationsRow,
  PaperRevocationRow,
  PendingApprovalRow,
  ReportKind,
  StockMovementRow,
} from '../../../shared/reports'
import { formatDateTime, formatYen } from '../../../shared/format'
export { monthsOf } from '../../../shared/reports'

type Translate = (key: string, named?: Record<string, unknown>) => string
export type Cell = string | number | null

/**
 * One column of a report: its heading (an i18n key), the value for CSV (plain numbers and ISO dates,
 * so Excel can add and sort them) and the text for the screen and paper.
 */
export interface ReportColumn<R> {
  key: string
  label: string
  csv: (row: R, t: Translate) => Cell
  text?: (row: R, t: Translate) => string
  numeric?: boolean
}

export interface ReportDefinition<R> {
  kind: ReportKind
  channel: ChannelName
  /** Reports of counted work are asked for a month at a time so long ranges show progress. */
  byMonth: boolean
  /** The paper report can keep only the overdue forms. */
  overdueFilter?: boolean
  columns: ReportColumn<R>[]
  /** A row that sums others (the branch total of the fee ledger) is shown in bold. */
  isTotal?: (row: R) => boolean
}

function yen<R>(pick: (row: R) => number | null) {
  return {
    numeric: true,
    text: (row: R) => {
      const v = pick(row)
      return v === null ? '' : formatYen(v)
    },
  }
}

const operations: ReportDefinition<OperationsRow> = {
  kind: 'operations',
  channel: 'reports.operations',
  byMonth: true,
  columns: [
    { key: 'businessDate', label: 'reports.col.businessDate', csv: (r) => r.businessDate },
    { key: 'staffId', label: 'reports.col.staffId', csv: (r) => r.staffId },
    { key: 'staffName', label: 'reports.col.staffName', csv: (r) => r.staffName },
    { key: 'issuances', label: 'reports.col.issuances', csv: (r) => r.issuances, numeric: true },
    { key: 'revocations', label: 'reports.col.revocations', csv: (r) => r.revocations, numeric: true },
    { key: 'suspensions', label: 'reports.col.suspensions', csv: (r) => r.suspensions, numeric: true },
  ],
}

const fees: ReportDefinition<FeeRow> = {
  kind: 'fees',
  channel: 'reports.fees',
  byMonth: true,
  isTotal: (r) => r.staffId === null,
  columns: [
    { key: 'businessDate', label: 'reports.col.businessDate', csv: (r) => r.businessDate },
    { key: 'staffId', label: 'reports.col.staffId', csv: (r, t) => r.staffId ?? t('reports.branchTotal') },
    { key: 'staffName', label: 'reports.col.staffName', csv: (r) => r.staffName },
    { key: 'feeCount', label: 'reports.col.feeCount', csv: (r) => r.feeCount, numeric: true },
    { key: 'voidCount', label: 'reports.col.voidCount', csv: (r) => r.voidCount, numeric: true },
    { key: 'waiverCount', label: 'reports.col.waiverCount', csv: (r) => r.waiverCount, numeric: true },
    { key: 'cashYen', label: 'reports.col.cashYen', csv: (r) => r.cashYen, ...yen((r: FeeRow) => r.cashYen) },
    {
      key: 'debitYen',
      label: 'reports.col.debitYen',
      csv: (r) => r.debitYen,
      ...yen((r: FeeRow) => r.debitYen),
    },
    { key: 'netYen', label: 'reports.col.netYen', csv: (r) => r.netYen, ...yen((r: FeeRow) => r.netYen) },
    {
      key: 'closeState',
      label: 'reports.col.closeState',
      csv: (r, t) => t(`reports.closeState.${r.closeState}`),
    },
    {
      key: 'countedYen',
      label: 'reports.col.countedYen',
      csv: (r) => r.countedYen,
      ...yen((r: FeeRow) => r.countedYen),
    },
    {
      key: 'differenceYen',
      label: 'reports.col.differenceYen',
      csv: (r) => r.differenceYen,
      ...yen((r: FeeRow) => r.differenceYen),
    },
    { key: 'closeChecker', label: 'reports.col.closeChecker', csv: (r) => r.closeChecker },
    { key: 'closeNote', label: 'reports.col.closeNote', csv: (r) => r.closeNote },
  ],
}

const approvals: ReportDefinition<PendingApprovalRow> = {
  kind: 'approvals',
  channel: 'reports.approvals',
  byMonth: false,
  columns: [
    {
      key: 'createdAt',
      label: 'reports.col.createdAt',
      csv: (r) => formatDateTime(r.createdAt),
    },
    { key: 'ageDays', label: 'reports.col.ageDays', csv: (r) => r.ageDays, numeric: true },
    { key: 'cif', label: 'reports.col.cif', csv: (r) => r.cif },
    { key: 'customerName', label: 'reports.col.customerName', csv: (r) => r.customerName },
    { key: 'channel', label: 'reports.col.channel', csv: (r, t) => t(`channel.${r.channel}`) },
    { key: 'reason', label: 'reports.col.reason', csv: (r, t) => t(`reason.${r.reason}`) },
    { key: 'maker', label: 'reports.col.maker', csv: (r) => `${r.makerName}（${r.maker}）` },
  ],
}

const paperRevocations: ReportDefinition<PaperRevocationRow> = {
  kind: 'paperRevocations',
  channel: 'reports.paperRevocations',
  byMonth: false,
  overdueFilter: true,
  columns: [
    { key: 'formNo', label: 'reports.col.formNo', csv: (r) => r.formNo },
    { key: 'receivedOn', label: 'reports.col.receivedOn', csv: (r) => r.receivedOn },
    { key: 'dueOn', label: 'reports.col.dueOn', csv: (r) => r.dueOn },
    {
      key: 'overdue',
      label: 'reports.col.overdue',
      csv: (r, t) => (r.overdue ? t('reports.overdueDays', { n: r.daysOverdue }) : ''),
    },
    { key: 'state', label: 'reports.col.state', csv: (r, t) => t(`revState.${r.state}`) },
    { key: 'cif', label: 'reports.col.cif', csv: (r) => r.cif },
    { key: 'customerName', label: 'reports.col.customerName', csv: (r) => r.customerName },
    { key: 'maker', label: 'reports.col.maker', csv: (r) => r.maker },
  ],
}

const stockMovements: ReportDefinition<StockMovementRow> = {
  kind: 'stockMovements',
  channel: 'reports.stockMovements',
  byMonth: true,
  columns: [
    { key: 'businessDate', label: 'reports.col.businessDate', csv: (r) => r.businessDate },
    { key: 'movement', label: 'reports.col.movement', csv: (r, t) => t(`reports.movement.${r.movement}`) },
    { key: 'serial', label: 'reports.col.serial', csv: (r) => r.serial },
    { key: 'staffId', label: 'reports.col.staffId', csv: (r) => r.staffId },
    { key: 'cif', label: 'reports.col.cif', csv: (r) => r.cif },
  ],
}

export const REPORTS = { operations, fees, approvals, paperRevocations, stockMovements } as const

export type AnyReport = ReportDefinition<Record<string, unknown>>

export function reportDefinition(kind: ReportKind): AnyReport {
  return REPORTS[kind] as unknown as AnyReport
}

/** The text of a cell on screen and paper. */
export function cellText(
  column: ReportColumn<Record<string, unknown>>,
  row: Record<string, unknown>,
  t: Translate,
) {
  if (column.text) return column.text(row as never, t)
  const v = column.csv(row, t)
  return v === null ? '' : String(v)
}
