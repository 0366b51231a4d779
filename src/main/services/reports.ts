import type { Knex } from 'knex'
import type {
  Dashboard,
  FeeRow,
  OperationsRow,
  PaperRevocationRow,
  PendingApprovalRow,
  ReportRange,
  StockMovementRow,
} from '../../shared/reports'
import type { Clock } from '../clock'
import { addDays, businessDate } from '../../core/domain/businessDate'
import { isOverdue, type RevocationState } from '../../core/domain/revocationRules'
import { revocationElapsedDays } from '../../shared/revocationDates'
import type { Session } from './sessions'
import type { WorkstationSettingsService } from './workstationSettings'

/** The UTC instants that bound a range of Japan business dates: [start of `from`, start of the day after `to`). */
export function instantRange(from: string, to: string): { start: string; end: string } {
  return {
    start: new Date(`${from}T00:00:00+09:00`).toISOString(),
    end: new Date(`${addDays(to, 1)}T00:00:00+09:00`).toISOString(),
  }
}

const DAY_MS = 86_400_000
const JST_OFFSET_MS = 9 * 3_600_000

/**
 * The business date of a stored instant. Same answer as `businessDate` (Japan keeps no summer time, so
 * UTC+9 is exact) without a calendar formatter per row: a year's report turns tens of thousands of rows.
 */
function dateOf(iso: string): string {
  return new Date(Date.parse(iso) + JST_OFFSET_MS).toISOString().slice(0, 10)
}
const TREND_DAYS = 14

/**
 * The branch's reports and the supervisor's dashboard. Read only: every figure comes from the rows the
 * counter services wrote (requests, receipts and ledger, day closes, inventory, tokens, audit), so a
 * report can never disagree with the screens it summarises.
 */
export class ReportService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly workstation: WorkstationSettingsService,
  ) {}

  /**
   * 日次業務: issuances, revocations and suspensions recorded by each teller on each business date
   * (revocations as 受付: whatever became of them later; issuances central refused are left out).
   */
  async operations(session: Session, range: ReportRange): Promise<{ rows: OperationsRow[] }> {
    const { start, end } = instantRange(range.from, range.to)
    const q = this.db('requests as r')
      .join('customers as c', 'c.cif', 'r.cif')
      .leftJoin('staff as s', 's.staff_id', 'r.maker')
      // The kind is checked below, not here: filtering on it in SQL makes SQLite walk the kind index
      // instead of the recorded-time index (008_reports), which is what narrows a month down.
      // An issuance central refused stays on record for its receipt, but no token was handed over.
      .whereNot('r.state', 'refused')
      .where('r.created_at', '>=', start)
      .where('r.created_at', '<', end)
      .where(branchOf(session))
      .select('r.kind', 'r.maker', 'r.created_at', 's.name as staff_name')
    if (range.staffId) q.where('r.maker', range.staffId)
    const rows = new Map<string, OperationsRow>()
    for (const r of await q) {
      const date = dateOf(r.created_at)
      const key = `${date}|${r.maker}`
      const row = rows.get(key) ?? {
        businessDate: date,
        staffId: r.maker,
        staffName: r.staff_name ?? r.maker,
        issuances: 0,
        revocations: 0,
        suspensions: 0,
      }
      if (r.kind === 'hard_issuance') row.issuances++
      else if (r.kind === 'revocation') row.revocations++
      else if (r.kind === 'suspension') row.suspensions++
      else continue
      rows.set(key, row)
    }
    return { rows: [...rows.values()].sort(byDateThenStaff) }
  }

  /** 手数料台帳: each teller's fees, voids and day close per date, and the branch's total for the date. */
  async fees(session: Session, range: ReportRange): Promise<{ rows: FeeRow[] }> {
    const q = this.db('ledger_entries as l')
      .join('receipts as r', 'r.receipt_no', 'l.receipt_no')
      .leftJoin('staff as s', 's.staff_id', 'l.staff_id')
      .where('r.branch_code', session.branchCode)
      .whereBetween('l.business_date', [range.from, range.to])
      .select('l.business_date', 'l.staff_id', 's.name as staff_name', 'l.kind', 'l.method')
      .sum({ amount: 'l.amount_yen', cash: 'l.cash_yen' })
      .count({ n: '*' })
      .groupBy('l.business_date', 'l.staff_id', 'l.kind', 'l.method')
    if (range.staffId) q.where('l.staff_id', range.staffId)
    const closes = this.db('day_closes as d')
      .join('staff as s', 's.staff_id', 'd.staff_id')
      .where('s.branch_code', session.branchCode)
      .whereBetween('d.business_date', [range.from, range.to])
      .select('d.*', 's.name as staff_name')
    if (range.staffId) closes.where('d.staff_id', range.staffId)

    const tellers = new Map<string, FeeRow>()
    const rowFor = (date: string, staffId: string, staffName: string | null) => {
      const key = `${date}|${staffId}`
      let row = tellers.get(key)
      if (!row) {
        row = { ...emptyFeeRow(date, staffId, staffName ?? staffId) }
        tellers.set(key, row)
      }
      return row
    }
    const groups = (await q) as unknown as {
      business_date: string
      staff_id: string
      staff_name: string | null
      kind: 'fee' | 'void'
      method: string
      amount: number
      cash: number
      n: number
    }[]
    for (const g of groups) {
      const row = rowFor(g.business_date, g.staff_id, g.staff_name)
      const n = Number(g.n)
      const amount = Number(g.amount)
      if (g.kind === 'fee') {
        row.feeCount += n
        if (g.method === 'waiver') row.waiverCount += n
      } else row.voidCount += n
      if (g.method === 'cash') row.cashYen += Number(g.cash)
      if (g.method === 'account_debit') row.debitYen += amount
      row.netYen += amount
    }
    for (const c of await closes) {
      const row = rowFor(c.business_date, c.staff_id, c.staff_name)
      row.closeState = 'closed'
      row.countedYen = c.counted_yen
      row.differenceYen = c.difference_yen
      row.closeChecker = c.checker
      row.closeNote = c.note ?? null
    }
    const perTeller = [...tellers.values()].sort(byDateThenStaff)
    const rows: FeeRow[] = []
    for (const date of [...new Set(perTeller.map((r) => r.businessDate))]) {
      const ofDate = perTeller.filter((r) => r.businessDate === date)
      rows.push(...ofDate, branchTotal(date, ofDate))
    }
    return { rows }
  }

  /** 承認待ち: revocations recorded in the range that still wait for a supervisor, oldest first. */
  async pendingApprovals(session: Session, range: ReportRange): Promise<{ rows: PendingApprovalRow[] }> {
    const { start, end } = instantRange(range.from, range.to)
    const q = this.db('requests as r')
      .join('customers as c', 'c.cif', 'r.cif')
      .leftJoin('staff as s', 's.staff_id', 'r.maker')
      .where({ 'r.kind': 'revocation', 'r.state': 'awaiting_branch' })
      .where('r.created_at', '>=', start)
      .where('r.created_at', '<', end)
      .where(branchOf(session))
      .select('r.*', 'c.name_kanji as customer_name', 's.name as maker_name')
      .orderBy('r.created_at')
    if (range.staffId) q.where('r.maker', range.staffId)
    const now = this.clock.now()
    return {
      rows: (await q).map((r) => ({
        requestId: r.id,
        createdAt: r.created_at,
        // The revocation list's 経過日数: Japan calendar days from the received date (paper) or the
        // day it was recorded (in person), so the report and the screens show the same number.
        ageDays: revocationElapsedDays(
          { channel: r.channel, receivedOn: r.received_on ?? null, createdAt: r.created_at },
          now,
        ),
        cif: r.cif,
        customerName: r.customer_name,
        channel: r.channel,
        reason: r.reason,
        maker: r.maker,
        makerName: r.maker_name ?? r.maker,
      })),
    }
  }

  /** 書面の利用解除: open paper revocations received in the range; optionally only the overdue ones. */
  async paperRevocations(
    session: Session,
    range: ReportRange & { overdueOnly?: boolean },
  ): Promise<{ rows: PaperRevocationRow[] }> {
    const q = this.paperQuery(session)
      .whereBetween('r.received_on', [range.from, range.to])
      .orderBy('r.due_on')
      .orderBy('r.created_at')
    if (range.staffId) q.where('r.maker', range.staffId)
    const rows = (await q).map((r) => this.toPaperRow(r))
    return { rows: range.overdueOnly ? rows.filter((r) => r.overdue) : rows }
  }

  /** 在庫受払: hard tokens received, handed over, activated, revoked or written off in the range. */
  async stockMovements(session: Session, range: ReportRange): Promise<{ rows: StockMovementRow[] }> {
    const { start, end } = instantRange(range.from, range.to)
    const rows: StockMovementRow[] = []
    const received = await this.db('inventory')
      .where({ branch_code: session.branchCode })
      .whereBetween('received_on', [range.from, range.to])
      .select('serial', 'received_on')
    if (!range.staffId) {
      for (const r of received)
        rows.push({
          businessDate: r.received_on,
          serial: r.serial,
          movement: 'received',
          staffId: null,
          cif: null,
        })
    }
    // A hard token's own dates; the teller who handed it over is the maker of its issuance request.
    const tokens = await this.db('tokens as t')
      .join('inventory as i', 'i.serial', 't.serial')
      .leftJoin('requests as q', 'q.id', 't.request_id')
      .where({ 't.kind': 'hard', 'i.branch_code': session.branchCode })
      .where((w) =>
        w
          .whereBetween('t.issued_at', [start, end])
          .orWhereBetween('t.activated_at', [start, end])
          .orWhereBetween('t.revoked_at', [start, end]),
      )
      .select('t.serial', 't.cif', 't.issued_at', 't.activated_at', 't.revoked_at', 'q.maker')
    for (const t of tokens) {
      const moves: [StockMovementRow['movement'], string | null, string | null][] = [
        ['issued', t.issued_at, t.maker ?? null],
        ['activated', t.activated_at, null],
        ['revoked', t.revoked_at, null],
      ]
      for (const [movement, at, staffId] of moves) {
        if (!at || at < start || at >= end) continue
        if (range.staffId && staffId !== range.staffId) continue
        rows.push({
          businessDate: dateOf(at),
          serial: t.serial,
          movement,
          staffId,
          cif: t.cif,
        })
      }
    }
    const writeOffs = this.db('audit as a')
      .join('inventory as i', 'i.serial', 'a.entity_key')
      .where({ 'a.action': 'inventory.write_off', 'i.branch_code': session.branchCode })
      .where('a.at', '>=', start)
      .where('a.at', '<', end)
      .select('a.at', 'a.actor', 'a.entity_key as serial')
    if (range.staffId) writeOffs.where('a.actor', range.staffId)
    for (const w of await writeOffs) {
      rows.push({
        businessDate: dateOf(w.at),
        serial: w.serial,
        movement: 'written_off',
        staffId: w.actor,
        cif: null,
      })
    }
    const order = ['received', 'issued', 'activated', 'revoked', 'written_off']
    rows.sort(
      (a, b) =>
        a.businessDate.localeCompare(b.businessDate) ||
        order.indexOf(a.movement) - order.indexOf(b.movement) ||
        a.serial.localeCompare(b.serial),
    )
    return { rows }
  }

  /** The supervisor's dashboard: today's work, what waits, what is late, and the stock. */
  async dashboard(session: Session): Promise<Omit<Dashboard, 'sync'>> {
    const now = this.clock.now()
    const today = businessDate(now)
    const trendFrom = addDays(today, -(TREND_DAYS - 1))
    const operations = (await this.operations(session, { from: trendFrom, to: today })).rows
    const trend = Array.from({ length: TREND_DAYS }, (_, i) => {
      const date = addDays(trendFrom, i)
      const ofDate = operations.filter((r) => r.businessDate === date)
      return {
        businessDate: date,
        issuances: sum(ofDate, (r) => r.issuances),
        revocations: sum(ofDate, (r) => r.revocations),
      }
    })
    const todays = operations.filter((r) => r.businessDate === today)
    const fees = (await this.fees(session, { from: today, to: today })).rows
    const tellerFees = fees.filter((r) => r.staffId !== null)
    // Few rows wait at once; each one's age is counted by the list's rule (see pendingApprovals).
    const waiting: { channel: 'in_person' | 'paper'; received_on: string | null; created_at: string }[] =
      await this.db('requests as r')
        .where({ 'r.kind': 'revocation', 'r.state': 'awaiting_branch' })
        .where(branchOf(session))
        .select('r.channel', 'r.received_on', 'r.created_at')
    const waitingDays = waiting.map((r) =>
      revocationElapsedDays({ channel: r.channel, receivedOn: r.received_on, createdAt: r.created_at }, now),
    )
    const overduePaper = (await this.paperQuery(session).orderBy('r.due_on'))
      .map((r) => this.toPaperRow(r))
      .filter((r) => r.overdue)
    const [stock] = await this.db('inventory')
      .where({ branch_code: session.branchCode, state: 'in_stock' })
      .count<{ n: number }[]>({ n: '*' })
    const threshold = (await this.workstation.get()).lowStockThreshold
    const inStock = Number(stock?.n ?? 0)
    return {
      businessDate: today,
      today: {
        issuances: sum(todays, (r) => r.issuances),
        revocations: sum(todays, (r) => r.revocations),
        suspensions: sum(todays, (r) => r.suspensions),
        feeYen: sum(tellerFees, (r) => r.netYen),
        voids: sum(tellerFees, (r) => r.voidCount),
        openDayCloses: tellerFees.filter((r) => r.closeState === 'open').length,
      },
      approvalsWaiting: waiting.length,
      oldestApprovalDays: waitingDays.length ? Math.max(...waitingDays) : null,
      overduePaper,
      stock: { inStock, threshold, low: inStock <= threshold },
      trend,
    }
  }

  private paperQuery(session: Session) {
    return this.db('requests as r')
      .join('customers as c', 'c.cif', 'r.cif')
      .where({ 'r.kind': 'revocation', 'r.channel': 'paper' })
      .whereIn('r.state', ['awaiting_branch', 'awaiting_central'])
      .where(branchOf(session))
      .select('r.*', 'c.name_kanji as customer_name', 'c.otp_status')
  }

  private toPaperRow(r: Record<string, string>): PaperRevocationRow {
    const today = businessDate(this.clock.now())
    const dueOn = r['due_on']!
    const overdue = isOverdue(r['state'] as RevocationState, dueOn, today)
    return {
      requestId: r['id']!,
      formNo: r['form_no'] ?? null,
      receivedOn: r['received_on']!,
      dueOn,
      state: r['state'] as PaperRevocationRow['state'],
      overdue,
      daysOverdue: overdue ? Math.round((Date.parse(today) - Date.parse(dueOn)) / DAY_MS) : 0,
      cif: r['cif']!,
      customerName: r['customer_name']!,
      otpStatus: r['otp_status'] as PaperRevocationRow['otpStatus'],
      maker: r['maker']!,
    }
  }
}

/** Requests made by this branch's staff (a workstation only holds its own branch, but say so). */
function branchOf(session: Session) {
  return (q: Knex.QueryBuilder) =>
    q.whereIn('r.maker', (sub: Knex.QueryBuilder) =>
      sub.from('staff').select('staff_id').where({ branch_code: session.branchCode }),
    )
}

function byDateThenStaff(
  a: { businessDate: string; staffId: string | null },
  b: { businessDate: string; staffId: string | null },
): number {
  return a.businessDate.localeCompare(b.businessDate) || (a.staffId ?? '').localeCompare(b.staffId ?? '')
}

function sum<T>(rows: T[], pick: (row: T) => number): number {
  return rows.reduce((total, row) => total + pick(row), 0)
}

function emptyFeeRow(date: string, staffId: string | null, staffName: string): FeeRow {
  return {
    businessDate: date,
    staffId,
    staffName,
    feeCount: 0,
    voidCount: 0,
    waiverCount: 0,
    cashYen: 0,
    debitYen: 0,
    netYen: 0,
    closeState: 'open',
    countedYen: null,
    differenceYen: null,
    closeChecker: null,
    closeNote: null,
  }
}

/** The branch's line for a date: the tellers' figures added up; closed only when every teller is. */
function branchTotal(date: string, rows: FeeRow[]): FeeRow {
  const total = emptyFeeRow(date, null, '')
  for (const r of rows) {
    total.feeCount += r.feeCount
    total.voidCount += r.voidCount
    total.waiverCount += r.waiverCount
    total.cashYen += r.cashYen
    total.debitYen += r.debitYen
    total.netYen += r.netYen
  }
  const allClosed = rows.every((r) => r.closeState === 'closed')
  total.closeState = allClosed ? 'closed' : 'open'
  if (allClosed) {
    total.countedYen = sum(rows, (r) => r.countedYen ?? 0)
    total.differenceYen = sum(rows, (r) => r.differenceYen ?? 0)
  }
  return total
}
