import type { Knex } from 'knex'
import type { ApprovalInput } from '../../shared/contract'
import type { OtpStatus } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { businessDate } from '../../core/domain/businessDate'
import { verifyDeviceOtp } from '../../core/domain/deviceOtp'
import { changeFor, HARD_TOKEN_FEE_YEN } from '../../shared/fees'
import { receiptNumber, receiptPrefix, UNENROLLED_WORKSTATION } from '../../core/domain/receiptNumbers'
import { canMove } from '../../core/domain/statusRules'
import type { SecretBox } from '../../core/security/secretBox'
import type { Approval, ApprovalService } from './approvals'
import type { AuditLog } from './audit'
import type { Connectivity } from './connectivity'
import type { LocalMutations } from '../sync/localMutations'
import { receiptDocument } from './receiptRows'
import type { Session } from './sessions'
import { newRequestId } from '../../core/requestId'

export type Payment =
  | { method: 'cash'; tenderedYen: number }
  | { method: 'account_debit'; account: string }
  | { method: 'waiver'; reason: string; approval: ApprovalInput }

export interface IssueInput {
  cif: string
  serial: string
  identity: { kind: string; last4: string }
  payment: Payment
}

/** Central's 口座振替 (the sync client): debits the account or refuses with a DomainError. */
export interface AccountDebits {
  debit(input: { receiptNo: string; cif: string; account: string; amountYen: number }): Promise<void>
}

/** A device check is good for this long: the customer is still at the counter. */
const DEVICE_PROOF_MS = 10 * 60 * 1000

/** Hard-token issuance at the counter (DOMAIN.md): eligibility, device OTP check, fee, receipt. */
export class IssuanceService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly mutations: LocalMutations,
    private readonly approvals: ApprovalService,
    private readonly secretBox: SecretBox,
    private readonly connectivity: Connectivity,
    private readonly debits: AccountDebits,
  ) {}

  async check(cif: string) {
    const customer = await this.loadCustomer(this.db, cif)
    const status = customer.otp_status as OtpStatus
    return {
      eligible: canMove('issueHard', status),
      otpStatus: status,
      feeYen: HARD_TOKEN_FEE_YEN,
      online: await this.connectivity.online(),
    }
  }

  /** The teller types what the device shows; a match proves the right device is being handed over. */
  async verifyDevice(session: Session, input: { cif: string; serial: string; otp: string }) {
    this.assertEligible(await this.loadCustomer(this.db, input.cif))
    const device = await this.loadInStock(this.db, session, input.serial)
    if (!device.seed_sealed) throw new DomainError('NOT_IN_STOCK', `no seed for serial ${input.serial}`)
    const seed = this.secretBox.open(device.seed_sealed, `seed:${device.serial}`)
    const now = this.clock.now()
    const verdict = verifyDeviceOtp(
      {
        algorithm: device.algorithm,
        digits: device.digits,
        period: device.period,
        counter: device.counter,
        lastStep: device.last_step,
      },
      seed,
      input.otp,
      now,
    )
    if (!verdict.ok && verdict.reason === 'replay') {
      throw new DomainError(
        'OTP_REPLAY',
        'this one-time password was already used; press the device’s button again',
      )
    }
    if (!verdict.ok) throw new DomainError('INVALID_OTP', 'the one-time password does not match this serial')
    const verifiedAt = now.toISOString()
    await this.db.transaction(async (trx) => {
      await trx('inventory')
        .where({ serial: device.serial })
        .update({ counter: verdict.counter, last_step: verdict.lastStep, updated_at: verifiedAt })
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'inventory.otp_verified',
        entity: 'inventory',
        entityKey: device.serial,
        before: { counter: device.counter, lastStep: device.last_step },
        after: { counter: verdict.counter, lastStep: verdict.lastStep, cif: input.cif },
      })
    })
    session.deviceProof = { cif: input.cif, serial: device.serial, verifiedAt }
    return { serial: device.serial, digits: device.digits, verifiedAt }
  }

  /** Issuances at one PC run one at a time: checks, the debit at central and the receipt number agree. */
  issue(session: Session, input: IssueInput) {
    return this.oneAtATime(() => this.issueNow(session, input))
  }

  private async issueNow(session: Session, input: IssueInput) {
    // Checks that need no transaction come first, so a refusal writes nothing (and debits nothing).
    this.assertEligible(await this.loadCustomer(this.db, input.cif))
    await this.loadInStock(this.db, session, input.serial)
    const proof = session.deviceProof
    const now = this.clock.now()
    if (
      !proof ||
      proof.cif !== input.cif ||
      proof.serial !== input.serial ||
      now.getTime() - new Date(proof.verifiedAt).getTime() > DEVICE_PROOF_MS
    ) {
      throw new DomainError('DEVICE_NOT_VERIFIED', 'verify the device’s one-time password first')
    }
    const date = businessDate(now)
    await this.assertDayOpen(this.db, session.staffId, date)
    let approval: Approval | undefined
    if (
      input.payment.method === 'cash' &&
      changeFor(HARD_TOKEN_FEE_YEN, input.payment.tenderedYen) === null
    ) {
      throw new DomainError('CASH_SHORT', 'the amount tendered does not cover the fee', {
        tenderedYen: 'too little',
      })
    }
    if (input.payment.method === 'account_debit') {
      if (!(await this.connectivity.online())) {
        throw new DomainError(
          'OFFLINE',
          'account debit needs central to check the balance; take cash or try when online',
        )
      }
      await this.assertOwnAccount(input.cif, input.payment.account)
    }
    if (input.payment.method === 'waiver') {
      approval = await this.approvals.verify(
        input.payment.approval,
        session.staffId,
        session.branchCode,
        'fee.waive',
      )
    }

    const payment = input.payment
    const amountYen = payment.method === 'waiver' ? 0 : HARD_TOKEN_FEE_YEN
    // 口座振替 settles at central before the receipt exists (issue 8): central debits or refuses. The
    // receipt number is reserved first (committed), so a retry after a lost answer asks for the same
    // debit again and no later receipt takes the number.
    let debitedReceiptNo: string | null = null
    if (payment.method === 'account_debit') {
      debitedReceiptNo = await this.reserveDebit(session, date, input.cif, payment.account)
      try {
        await this.debits.debit({
          receiptNo: debitedReceiptNo,
          cif: input.cif,
          account: payment.account,
          amountYen,
        })
      } catch (e) {
        // Refused by the core system: no debit, the number is free again. Unreachable: kept reserved.
        if (e instanceof DomainError && e.code !== 'OFFLINE')
          await this.db('debit_reservations').where({ receipt_no: debitedReceiptNo }).delete()
        throw e
      }
    }
    const result = await this.db.transaction(async (trx) => {
      // The mutator re-checks eligibility, stock and the day inside this transaction.
      const customer = await this.loadCustomer(trx, input.cif)
      if (approval) await this.approvals.consume(trx, approval)

      const at = now.toISOString()
      const requestId = newRequestId()
      const receiptNo = debitedReceiptNo ?? (await this.nextReceiptNo(trx, session, date))
      if (debitedReceiptNo) await trx('debit_reservations').where({ receipt_no: debitedReceiptNo }).delete()
      await this.mutations.commit(
        trx,
        'token.issue_hard',
        {
          requestId,
          cif: input.cif,
          serial: input.serial,
          fee: {
            receiptNo,
            businessDate: date,
            method: payment.method,
            amountYen,
            ...(payment.method === 'cash' ? { tenderedYen: payment.tenderedYen } : {}),
            ...(payment.method === 'account_debit' ? { account: payment.account } : {}),
            ...(approval && payment.method === 'waiver'
              ? { waivedBy: approval.checker, waiverReason: payment.reason }
              : {}),
          },
          identity: input.identity,
          verifiedAt: session.deviceProof!.verifiedAt,
        },
        session.staffId,
        { cif: input.cif },
      )
      await trx('ledger_entries').insert({
        receipt_no: receiptNo,
        kind: 'fee',
        staff_id: session.staffId,
        business_date: date,
        method: payment.method,
        amount_yen: amountYen,
        cash_yen: payment.method === 'cash' ? amountYen : 0,
        checker: approval?.checker ?? null,
        reason: payment.method === 'waiver' ? payment.reason : null,
        created_at: at,
      })
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'token.issue_hard',
        entity: 'customer',
        entityKey: input.cif,
        before: { otpStatus: customer.otp_status },
        after: {
          otpStatus: 'token_issued',
          serial: input.serial,
          receiptNo,
          method: payment.method,
          amountYen,
          checker: approval?.checker,
        },
      })
      return { requestId, receipt: (await receiptDocument(trx, receiptNo))! }
    })
    delete session.deviceProof
    return result
  }

  /** Issuances at one PC take their receipt numbers one after the other. */
  private queue: Promise<unknown> = Promise.resolve()
  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work)
    this.queue = next.catch(() => undefined)
    return next
  }

  /** `{branch}-{ws}-{yyyymmdd}-{seq4}`: this PC's next number for the business date. */
  private async nextReceiptNo(db: Knex | Knex.Transaction, session: Session, date: string): Promise<string> {
    const state = await db('sync_state').where({ id: 1 }).first('workstation_no')
    const ws = state?.workstation_no ?? UNENROLLED_WORKSTATION
    const prefix = receiptPrefix(session.branchCode, ws, date)
    const last = await db('receipts')
      .where('receipt_no', 'like', `${prefix}%`)
      .max<{ seq: number | null }>({ seq: 'seq' })
      .first()
    const reserved = await db('debit_reservations')
      .where('receipt_no', 'like', `${prefix}%`)
      .orderBy('receipt_no', 'desc')
      .first('receipt_no')
    const seq = Math.max(last?.seq ?? 0, reserved ? Number(reserved.receipt_no.slice(-4)) : 0)
    return receiptNumber(session.branchCode, ws, date, seq + 1)
  }

  /**
   * The receipt number an account debit is asked under, committed before central is asked. The same
   * customer and account asking again (after a lost answer) get the same number: central's debit is
   * idempotent on it, so the customer is never debited twice.
   */
  private async reserveDebit(session: Session, date: string, cif: string, account: string): Promise<string> {
    return this.db.transaction(async (trx) => {
      const open = await trx('debit_reservations').where({ cif, account }).first('receipt_no')
      if (open) return open.receipt_no as string
      const receiptNo = await this.nextReceiptNo(trx, session, date)
      await trx('debit_reservations').insert({
        receipt_no: receiptNo,
        cif,
        account,
        staff_id: session.staffId,
        created_at: this.clock.now().toISOString(),
      })
      return receiptNo
    })
  }

  private async loadCustomer(db: Knex | Knex.Transaction, cif: string) {
    const customer = await db('customers').where({ cif }).first()
    if (!customer) throw new DomainError('NOT_FOUND', `no customer with CIF ${cif}`)
    return customer
  }

  private assertEligible(customer: { otp_status: OtpStatus }): void {
    if (!canMove('issueHard', customer.otp_status)) {
      throw new DomainError(
        'NOT_ELIGIBLE',
        `a customer in status ${customer.otp_status} already holds a live token`,
      )
    }
  }

  private async loadInStock(db: Knex | Knex.Transaction, session: Session, serial: string) {
    const row = await db('inventory').where({ serial, branch_code: session.branchCode }).first()
    if (!row || row.state !== 'in_stock') {
      throw new DomainError('NOT_IN_STOCK', `serial ${serial} is not in this branch's stock`)
    }
    return row
  }

  private async assertDayOpen(db: Knex | Knex.Transaction, staffId: string, date: string): Promise<void> {
    const closed = await db('day_closes').where({ staff_id: staffId, business_date: date }).first()
    if (closed)
      throw new DomainError('DAY_CLOSED', `${staffId} has closed ${date}; no more fees can be taken today`)
  }

  private async assertOwnAccount(cif: string, account: string): Promise<void> {
    const [branchCode, subject, number] = account.split('-')
    const row = await this.db('accounts').where({ cif, branch_code: branchCode, subject, number }).first()
    if (!row)
      throw new DomainError('VALIDATION', 'the account is not the customer’s', {
        'payment.account': 'not this customer’s',
      })
  }
}
