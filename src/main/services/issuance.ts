import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { ApprovalInput } from '../../shared/contract'
import type { OtpStatus } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { businessDate } from '../../core/domain/businessDate'
import { verifyDeviceOtp } from '../../core/domain/deviceOtp'
import { changeFor, HARD_TOKEN_FEE_YEN, taxBreakdown } from '../../shared/fees'
import { receiptNumber } from '../../core/domain/receiptNumbers'
import { canMove } from '../../core/domain/statusRules'
import type { SecretBox } from '../../core/security/secretBox'
import type { Approval, ApprovalService } from './approvals'
import type { AuditLog } from './audit'
import type { Connectivity } from './connectivity'
import type { Outbox } from './outbox'
import { receiptDocument } from './receiptRows'
import { setOtpStatus } from './customerStatus'
import type { Session } from './sessions'

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

/** A device check is good for this long: the customer is still at the counter. */
const DEVICE_PROOF_MS = 10 * 60 * 1000

/** Hard-token issuance at the counter (DOMAIN.md): eligibility, device OTP check, fee, receipt. */
export class IssuanceService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
    private readonly approvals: ApprovalService,
    private readonly secretBox: SecretBox,
    private readonly connectivity: Connectivity,
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

  async issue(session: Session, input: IssueInput) {
    // Checks that need no transaction come first, so a refusal writes nothing.
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

    const result = await this.db.transaction(async (trx) => {
      const customer = await this.loadCustomer(trx, input.cif)
      this.assertEligible(customer)
      await this.loadInStock(trx, session, input.serial)
      await this.assertDayOpen(trx, session.staffId, date)
      if (approval) await this.approvals.consume(trx, approval)

      const at = now.toISOString()
      const requestId = randomUUID()
      const last = await trx('receipts')
        .where({ branch_code: session.branchCode, business_date: date })
        .max<{ seq: number | null }>({ seq: 'seq' })
        .first()
      const receiptNo = receiptNumber(session.branchCode, date, (last?.seq ?? 0) + 1)
      const payment = input.payment
      const amountYen = payment.method === 'waiver' ? 0 : HARD_TOKEN_FEE_YEN
      const cashYen = payment.method === 'cash' ? amountYen : 0

      await trx('requests').insert({
        id: requestId,
        kind: 'hard_issuance',
        cif: input.cif,
        state: 'completed',
        maker: session.staffId,
        checker: approval?.checker ?? null,
        identity_kind: input.identity.kind,
        identity_last4: input.identity.last4,
        detail_json: JSON.stringify({ serial: input.serial, receiptNo, method: payment.method }),
        created_at: at,
        updated_at: at,
      })
      const [tokenId] = await trx('tokens').insert({
        uid: requestId,
        cif: input.cif,
        kind: 'hard',
        serial: input.serial,
        state: 'issued',
        issued_at: at,
        request_id: requestId,
      })
      await trx('requests').where({ id: requestId }).update({ token_id: tokenId })
      await trx('inventory').where({ serial: input.serial }).update({ state: 'issued', updated_at: at })
      await setOtpStatus(trx, input.cif, 'token_issued', at)
      await trx('receipts').insert({
        receipt_no: receiptNo,
        branch_code: session.branchCode,
        business_date: date,
        seq: Number(receiptNo.slice(-4)),
        staff_id: session.staffId,
        cif: input.cif,
        request_id: requestId,
        serial: input.serial,
        method: payment.method,
        amount_yen: amountYen,
        tax_yen: taxBreakdown(amountYen).taxYen,
        tendered_yen: payment.method === 'cash' ? payment.tenderedYen : null,
        change_yen: payment.method === 'cash' ? changeFor(amountYen, payment.tenderedYen) : null,
        debit_account: payment.method === 'account_debit' ? payment.account : null,
        waived_by: approval?.checker ?? null,
        waiver_reason: payment.method === 'waiver' ? payment.reason : null,
        created_at: at,
      })
      await trx('ledger_entries').insert({
        receipt_no: receiptNo,
        kind: 'fee',
        staff_id: session.staffId,
        business_date: date,
        method: payment.method,
        amount_yen: amountYen,
        cash_yen: cashYen,
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
      await this.outbox.add(
        trx,
        'token.issue_hard',
        {
          requestId,
          cif: input.cif,
          serial: input.serial,
          fee: {
            receiptNo,
            method: payment.method,
            amountYen,
            ...(approval ? { waivedBy: approval.checker } : {}),
          },
          identity: input.identity,
          verifiedAt: session.deviceProof!.verifiedAt,
        },
        session.staffId,
      )
      return { requestId, receipt: (await receiptDocument(trx, receiptNo))! }
    })
    delete session.deviceProof
    return result
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
