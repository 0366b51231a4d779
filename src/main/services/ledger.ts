import type { Knex } from 'knex'
import type { ApprovalInput } from '../../shared/contract'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { businessDate } from '../../core/domain/businessDate'
import type { ApprovalService } from './approvals'
import type { AuditLog } from './audit'
import type { LocalMutations } from '../sync/localMutations'
import { listReceipts, receiptDocument } from './receiptRows'
import type { Session } from './sessions'

/** Fees taken, voids and the teller's day close (DOMAIN.md: Fees). Nothing here deletes or edits. */
export class LedgerService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly mutations: LocalMutations,
    private readonly approvals: ApprovalService,
  ) {}

  /** A teller sees their own day; a supervisor may look at any teller's. */
  async day(session: Session, input: { staffId?: string; businessDate?: string }) {
    const staffId = input.staffId ?? session.staffId
    if (staffId !== session.staffId && session.role !== 'supervisor') {
      throw new DomainError('FORBIDDEN', 'only a supervisor may look at another teller’s day')
    }
    return this.summary(this.db, staffId, input.businessDate ?? businessDate(this.clock.now()))
  }

  async receipt(session: Session, receiptNo: string) {
    const doc = await receiptDocument(this.db, receiptNo)
    if (!doc || doc.branchCode !== session.branchCode)
      throw new DomainError('NOT_FOUND', `no receipt ${receiptNo}`)
    return doc
  }

  /** 取消: a negative ledger entry with a reason, approved by a supervisor other than the maker. */
  async void(session: Session, input: { receiptNo: string; reason: string; approval: ApprovalInput }) {
    await this.loadVoidable(this.db, session, input.receiptNo)
    const approval = await this.approvals.verify(
      input.approval,
      session.staffId,
      session.branchCode,
      'fee.void',
    )
    await this.db.transaction(async (trx) => {
      const receipt = await this.loadVoidable(trx, session, input.receiptNo)
      await this.approvals.consume(trx, approval)
      // The mutator refuses a checker who is the teller asking or the teller who took the fee.
      await this.mutations.commit(
        trx,
        'fee.void',
        { receiptNo: receipt.receipt_no, reason: input.reason, checker: approval.checker },
        session.staffId,
        { cif: receipt.cif },
      )
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'fee.void',
        entity: 'customer',
        entityKey: receipt.cif,
        before: { receiptNo: receipt.receipt_no, amountYen: receipt.amount_yen, voided: false },
        after: {
          receiptNo: receipt.receipt_no,
          voided: true,
          reason: input.reason,
          checker: approval.checker,
          feeTaker: receipt.staff_id,
        },
      })
    })
    return (await receiptDocument(this.db, input.receiptNo))!
  }

  /** 締め: counted cash against the ledger, the difference with a note, a supervisor's approval. */
  async closeDay(session: Session, input: { countedYen: number; note?: string; approval: ApprovalInput }) {
    const date = businessDate(this.clock.now())
    const check = async (db: Knex | Knex.Transaction) => {
      const summary = await this.summary(db, session.staffId, date)
      if (summary.closed)
        throw new DomainError('DAY_CLOSED', `${date} is already closed for ${session.staffId}`)
      const difference = input.countedYen - summary.expectedCashYen
      if (difference !== 0 && !input.note) {
        throw new DomainError('VALIDATION', 'a cash difference needs a note', {
          note: 'explain the difference',
        })
      }
      return { summary, difference }
    }
    await check(this.db)
    const approval = await this.approvals.verify(
      input.approval,
      session.staffId,
      session.branchCode,
      'ledger.close_day',
    )
    await this.db.transaction(async (trx) => {
      const { summary, difference } = await check(trx)
      await this.approvals.consume(trx, approval)
      await this.mutations.commit(
        trx,
        'ledger.close_day',
        {
          staffId: session.staffId,
          businessDate: date,
          expectedYen: summary.expectedCashYen,
          countedYen: input.countedYen,
          ...(input.note ? { note: input.note } : {}),
          checker: approval.checker,
        },
        session.staffId,
        { cif: null },
      )
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'ledger.close_day',
        entity: 'day_close',
        entityKey: `${session.staffId}:${date}`,
        after: {
          staff_id: session.staffId,
          business_date: date,
          expected_yen: summary.expectedCashYen,
          counted_yen: input.countedYen,
          difference_yen: difference,
          note: input.note ?? null,
          checker: approval.checker,
        },
      })
    })
    return this.summary(this.db, session.staffId, date)
  }

  private async summary(db: Knex | Knex.Transaction, staffId: string, date: string) {
    const receipts = await listReceipts(db, { staffId, businessDate: date })
    const [cash] = await db('ledger_entries')
      .where({ staff_id: staffId, business_date: date })
      .sum<{ total: number | null }[]>({ total: 'cash_yen' })
    const closed = await db('day_closes').where({ staff_id: staffId, business_date: date }).first()
    return {
      staffId,
      businessDate: date,
      receipts,
      expectedCashYen: Number(cash?.total ?? 0),
      feeCount: receipts.length,
      voidCount: receipts.filter((r) => r.voided).length,
      closed: closed
        ? {
            countedYen: closed.counted_yen,
            differenceYen: closed.difference_yen,
            note: closed.note,
            checker: closed.checker,
            closedAt: closed.closed_at,
          }
        : null,
    }
  }

  private async loadVoidable(db: Knex | Knex.Transaction, session: Session, receiptNo: string) {
    const receipt = await db('receipts')
      .where({ receipt_no: receiptNo, branch_code: session.branchCode })
      .first()
    if (!receipt) throw new DomainError('NOT_FOUND', `no receipt ${receiptNo}`)
    const voided = await db('ledger_entries').where({ receipt_no: receiptNo, kind: 'void' }).first()
    if (voided) throw new DomainError('ALREADY_VOIDED', `receipt ${receiptNo} is already voided`)
    const closed = await db('day_closes')
      .where({ staff_id: receipt.staff_id, business_date: receipt.business_date })
      .first()
    if (closed) throw new DomainError('DAY_CLOSED', `the day of receipt ${receiptNo} is closed`)
    return receipt
  }
}
