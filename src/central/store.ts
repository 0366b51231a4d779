import type { Knex } from 'knex'
import type { OtpStatus, TokenState } from '../shared/domain'
import type { MutatorStore } from '../core/mutators'
import type {
  NewDayClose,
  NewReceipt,
  NewRequest,
  RequestDecision,
  RequestRow,
  TokenRow,
} from '../core/mutators/store'
import { LIVE_TOKEN_STATES } from '../core/domain/statusRules'
import type { SecretBox } from '../core/security/secretBox'

export function requestRow(r: Record<string, unknown>): RequestRow {
  const detail = JSON.parse(String(r['detail_json'] ?? '{}')) as Record<string, unknown>
  return {
    id: r['id'] as string,
    kind: r['kind'] as RequestRow['kind'],
    cif: r['cif'] as string,
    branchCode: r['branch_code'] as string,
    state: r['state'] as string,
    maker: r['maker'] as string,
    checker: (r['checker'] as string | null) ?? null,
    prevStatus: (r['prev_status'] as OtpStatus | null) ?? null,
    tokenUid: (r['token_uid'] as string | null) ?? null,
    reason: (detail['reason'] as string | undefined) ?? null,
  }
}

/**
 * Central's side of the mutator store: its authoritative tables. Every row a mutation writes carries the
 * push's global version, so the branch PCs pull it.
 */
export class CentralStore implements MutatorStore {
  constructor(
    private readonly trx: Knex.Transaction,
    private readonly version: number,
    private readonly branchCode: string,
    private readonly secretBox: SecretBox,
  ) {}

  async customer(cif: string) {
    const c = await this.trx('customers').where({ cif }).first('cif', 'branch_code', 'otp_status')
    return c ? { cif: c.cif, branchCode: c.branch_code, otpStatus: c.otp_status as OtpStatus } : undefined
  }

  async setCustomerStatus(cif: string, status: OtpStatus, at: string) {
    await this.trx('customers')
      .where({ cif })
      .update({ otp_status: status, status_changed_at: at, version: this.version })
  }

  async liveToken(cif: string): Promise<TokenRow | undefined> {
    const t = await this.trx('tokens')
      .where({ cif })
      .whereIn('state', LIVE_TOKEN_STATES)
      .orderBy('issued_at', 'desc')
      .first()
    return t ? { uid: t.uid, cif: t.cif, kind: t.kind, serial: t.serial, state: t.state } : undefined
  }

  async insertToken(token: TokenRow & { issuedAt: string }) {
    await this.trx('tokens').insert({
      uid: token.uid,
      cif: token.cif,
      kind: token.kind,
      serial: token.serial,
      state: token.state,
      issued_at: token.issuedAt,
      version: this.version,
    })
  }

  async request(id: string) {
    const r = await this.trx('requests').where({ id }).first()
    return r ? requestRow(r) : undefined
  }

  async openRevocation(cif: string) {
    const r = await this.trx('requests')
      .where({ cif, kind: 'revocation' })
      .whereIn('state', ['awaiting_branch', 'awaiting_central'])
      .first()
    return r ? requestRow(r) : undefined
  }

  async insertRequest(r: NewRequest) {
    await this.insertRequests([r])
  }

  /** Several requests in one INSERT (a push's batch, issue 11). */
  async insertRequests(requests: NewRequest[]) {
    // knex writes SQLite's multi-row INSERT as a compound SELECT, which SQLite caps at 500 terms.
    for (let i = 0; i < requests.length; i += 400)
      await this.trx('requests').insert(
        requests.slice(i, i + 400).map((r) => ({
          id: r.id,
          kind: r.kind,
          cif: r.cif,
          branch_code: this.branchCode,
          state: r.state,
          maker: r.maker,
          checker: r.checker,
          prev_status: r.prevStatus,
          token_uid: r.tokenUid,
          created_at: r.createdAt,
          detail_json: JSON.stringify({
            channel: r.channel ?? null,
            reason: r.reason ?? null,
            note: r.note ?? null,
            paperForm: r.paperForm ?? null,
            identity: r.identity ?? null,
            ...r.detail,
          }),
          version: this.version,
        })),
      )
  }

  async decideRequest(id: string, d: RequestDecision) {
    await this.trx('requests')
      .where({ id })
      .update({
        state: d.state,
        ...(d.checker !== undefined ? { checker: d.checker } : {}),
        decided_at: d.decidedAt,
        ...(d.decisionReason !== undefined ? { decision_reason: d.decisionReason } : {}),
        version: this.version,
      })
  }

  async device(serial: string) {
    const d = await this.trx('inventory').where({ serial }).first('serial', 'branch_code', 'state')
    return d ? { serial: d.serial, branchCode: d.branch_code, state: d.state as TokenState } : undefined
  }

  async setDeviceState(serial: string, state: TokenState) {
    // A written-off device's seed is of no further use: it is deleted, as on the branch.
    await this.trx('inventory')
      .where({ serial })
      .update({ state, ...(state === 'defective' ? { seed_sealed: null } : {}), version: this.version })
  }

  async staff(staffId: string) {
    const s = await this.trx('staff')
      .where({ staff_id: staffId })
      .first('staff_id', 'branch_code', 'role', 'active', 'password_hash')
    return s
      ? {
          staffId: s.staff_id,
          branchCode: s.branch_code,
          role: s.role,
          active: Boolean(s.active),
          passwordHash: s.password_hash,
        }
      : undefined
  }

  async setPassword(staffId: string, passwordHash: string, changedAt: string) {
    await this.trx('staff').where({ staff_id: staffId }).update({
      password_hash: passwordHash,
      must_change_password: false,
      password_changed_at: changedAt,
      version: this.version,
    })
  }

  async setAuthenticator(staffId: string, totpSecret: string, enrolledAt: string) {
    await this.trx('staff')
      .where({ staff_id: staffId })
      .update({
        totp_secret_sealed: this.secretBox.seal(Buffer.from(totpSecret, 'utf8'), `totp:${staffId}`),
        totp_enrolled_at: enrolledAt,
        version: this.version,
      })
  }

  async receipt(receiptNo: string) {
    const r = await this.trx('receipts').where({ receipt_no: receiptNo }).first()
    return r
      ? {
          receiptNo: r.receipt_no,
          requestId: null,
          branchCode: r.branch_code,
          staffId: r.staff_id,
          cif: r.cif,
          businessDate: r.business_date,
          method: r.method,
          amountYen: Number(r.amount_yen),
          voided: Boolean(r.voided_by),
        }
      : undefined
  }

  async insertReceipt(r: NewReceipt) {
    await this.trx('receipts').insert({
      receipt_no: r.receiptNo,
      branch_code: r.branchCode,
      method: r.method,
      amount_yen: r.amountYen,
      staff_id: r.staffId,
      cif: r.cif,
      business_date: r.businessDate,
      debit_account: r.account,
      created_at: r.createdAt,
    })
  }

  async voidReceipt(receiptNo: string, input: { checker: string; reason: string }) {
    await this.trx('receipts')
      .where({ receipt_no: receiptNo })
      .update({ voided_by: input.checker, void_reason: input.reason })
  }

  async dayClosed(staffId: string, businessDate: string) {
    return Boolean(
      await this.trx('day_closes').where({ staff_id: staffId, business_date: businessDate }).first(),
    )
  }

  async insertDayClose(c: NewDayClose) {
    await this.trx('day_closes').insert({
      staff_id: c.staffId,
      business_date: c.businessDate,
      expected_yen: c.expectedYen,
      counted_yen: c.countedYen,
      note: c.note,
      checker: c.checker,
    })
  }

  async debitMade(receipt: { receiptNo: string; account: string; amountYen: number }) {
    // Locked like HQ's resolution of a debit without a receipt (src/central/unmatchedDebits.ts).
    const d = await this.trx('debits').where({ receipt_no: receipt.receiptNo }).forUpdate().first()
    return Boolean(d && d.account === receipt.account && Number(d.amount_yen) === receipt.amountYen)
  }
}
