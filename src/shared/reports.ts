import { z } from 'zod'
import { OTP_STATUSES } from './domain'

/**
 * Reports, the supervisor's dashboard and the workstation's printing settings: schemas shared by the
 * services (output parsing) and the screens. Dates are business dates (YYYY-MM-DD, Japan).
 */
const businessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')

/** The longest range one call may ask for; the report screen asks month by month and shows progress. */
export const REPORT_MAX_DAYS = 366

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

const rangeFields = {
  from: businessDate,
  to: businessDate,
  staffId: z
    .string()
    .regex(/^[A-Z][0-9]{3,5}$/, 'staff ID is a capital letter and 3 to 5 digits')
    .optional(),
}

function checkRange(v: { from: string; to: string }, ctx: z.RefinementCtx): void {
  if (v.from > v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'the end is before the start' })
  else if (daysBetween(v.from, v.to) >= REPORT_MAX_DAYS)
    ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${REPORT_MAX_DAYS} days at once` })
}

/** [from, to] cut into calendar months: 11-15..12-10 → [11-15..11-30], [12-01..12-10]. */
export function monthsOf(from: string, to: string): { from: string; to: string }[] {
  const parts: { from: string; to: string }[] = []
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return parts
  let start = from
  while (start <= to) {
    const [y, m] = start.split('-').map(Number) as [number, number]
    const lastDay = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
    const end = lastDay < to ? lastDay : to
    parts.push({ from: start, to: end })
    start = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10)
  }
  return parts
}

export const reportRange = z.object(rangeFields).strict().superRefine(checkRange)
export type ReportRange = z.infer<typeof reportRange>
export const paperReportInput = z
  .object({ ...rangeFields, overdueOnly: z.boolean().optional() })
  .strict()
  .superRefine(checkRange)

/** 日次業務: what each teller did each business date. */
export const operationsRow = z.object({
  businessDate: z.string(),
  staffId: z.string(),
  staffName: z.string(),
  issuances: z.number().int(),
  revocations: z.number().int(),
  suspensions: z.number().int(),
})
export type OperationsRow = z.infer<typeof operationsRow>

/** 手数料台帳: fees per teller and date with the day close; `staffId` null is the branch's total. */
export const feeRow = z.object({
  businessDate: z.string(),
  staffId: z.string().nullable(),
  staffName: z.string(),
  feeCount: z.number().int(),
  voidCount: z.number().int(),
  waiverCount: z.number().int(),
  cashYen: z.number().int(),
  debitYen: z.number().int(),
  netYen: z.number().int(),
  closeState: z.enum(['closed', 'open']),
  countedYen: z.number().int().nullable(),
  differenceYen: z.number().int().nullable(),
  closeChecker: z.string().nullable(),
  closeNote: z.string().nullable(),
})
export type FeeRow = z.infer<typeof feeRow>

/** 承認待ち: revocations waiting for a supervisor at the branch. */
export const pendingApprovalRow = z.object({
  requestId: z.string(),
  createdAt: z.string(),
  ageDays: z.number().int(),
  cif: z.string(),
  customerName: z.string(),
  channel: z.enum(['in_person', 'paper']),
  reason: z.string(),
  maker: z.string(),
  makerName: z.string(),
})
export type PendingApprovalRow = z.infer<typeof pendingApprovalRow>

/** 書面による利用解除: open paper revocations with their due date and whether they are late. */
export const paperRevocationRow = z.object({
  requestId: z.string(),
  formNo: z.string().nullable(),
  receivedOn: z.string(),
  dueOn: z.string(),
  state: z.enum(['awaiting_branch', 'awaiting_central']),
  overdue: z.boolean(),
  daysOverdue: z.number().int(),
  cif: z.string(),
  customerName: z.string(),
  otpStatus: z.enum(OTP_STATUSES),
  maker: z.string(),
})
export type PaperRevocationRow = z.infer<typeof paperRevocationRow>

export const STOCK_MOVEMENTS = ['received', 'issued', 'activated', 'revoked', 'written_off'] as const
export type StockMovement = (typeof STOCK_MOVEMENTS)[number]

/** 在庫受払: each hard token's moves in the range. */
export const stockMovementRow = z.object({
  businessDate: z.string(),
  serial: z.string(),
  movement: z.enum(STOCK_MOVEMENTS),
  staffId: z.string().nullable(),
  cif: z.string().nullable(),
})
export type StockMovementRow = z.infer<typeof stockMovementRow>

export const REPORT_KINDS = ['operations', 'fees', 'approvals', 'paperRevocations', 'stockMovements'] as const
export type ReportKind = (typeof REPORT_KINDS)[number]

export const dashboard = z.object({
  businessDate: z.string(),
  today: z.object({
    issuances: z.number().int(),
    revocations: z.number().int(),
    suspensions: z.number().int(),
    feeYen: z.number().int(),
    voids: z.number().int(),
    openDayCloses: z.number().int(),
  }),
  approvalsWaiting: z.number().int(),
  oldestApprovalDays: z.number().int().nullable(),
  overduePaper: z.array(paperRevocationRow),
  stock: z.object({
    inStock: z.number().int(),
    threshold: z.number().int(),
    low: z.boolean(),
  }),
  /** Issuances and revocations for each of the last 14 business dates, oldest first. */
  trend: z.array(
    z.object({ businessDate: z.string(), issuances: z.number().int(), revocations: z.number().int() }),
  ),
  sync: z.object({
    enrolled: z.boolean(),
    online: z.boolean(),
    outboxDepth: z.number().int(),
    oldestWaitingAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    openProblems: z.number().int(),
  }),
})
export type Dashboard = z.infer<typeof dashboard>

export const RECEIPT_LAYOUTS = ['receipt80', 'a4'] as const
export type ReceiptLayout = (typeof RECEIPT_LAYOUTS)[number]
export const PAPER_LAYOUTS = ['receipt80', 'a4', 'a4_landscape'] as const
export type PaperLayout = (typeof PAPER_LAYOUTS)[number]

/** Receipts on the 80 mm printer: the layout's 80 × 200 mm page, or the printer's own paper size. */
export const RECEIPT_PAGE_SIZES = ['layout', 'printer'] as const
export type ReceiptPageSize = (typeof RECEIPT_PAGE_SIZES)[number]

/** Settings of this PC an admin changes beside the idle lock: printing, PDFs and the low-stock mark. */
export const workstationSettings = z
  .object({
    receiptLayout: z.enum(RECEIPT_LAYOUTS),
    printerName: z.string().trim().max(120),
    lowStockThreshold: z.number().int().min(0).max(1000),
    /** Where 「PDFで保存」 writes ('' = the default folder, under the app's data folder). */
    pdfFolder: z.string().trim().max(400),
    receiptPageSize: z.enum(RECEIPT_PAGE_SIZES),
  })
  .strict()
export type WorkstationSettings = z.infer<typeof workstationSettings>
/** A change from 端末設定; a setting left out keeps its value. */
export const workstationSettingsInput = workstationSettings.partial({
  pdfFolder: true,
  receiptPageSize: true,
})
/** What 端末設定 shows: the settings and the PDF folder used when none is chosen (none in browser mode). */
export const workstationSettingsView = workstationSettings.extend({ defaultPdfFolder: z.string().nullable() })
export type WorkstationSettingsView = z.infer<typeof workstationSettingsView>

/** What the about screen shows. */
export const aboutInfo = z.object({
  appName: z.string(),
  version: z.string(),
  shell: z.enum(['desktop', 'browser']),
  runtime: z.string(),
  branchCode: z.string().nullable(),
  branchName: z.string().nullable(),
  workstationName: z.string().nullable(),
  clientId: z.string().nullable(),
  centralUrl: z.string().nullable(),
  logDirectory: z.string().nullable(),
})
export type AboutInfo = z.infer<typeof aboutInfo>
