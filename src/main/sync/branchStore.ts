import type { Knex } from 'knex'
import type { OtpStatus, TokenState } from '../../shared/domain'
import type { MutatorStore } from '../../core/mutators'
import type {
  NewDayClose,
  NewReceipt,
  NewRequest,
  RequestDecision,
  RequestRow,
  TokenRow,
} from '../../core/mutators/store'
import { LIVE_TOKEN_STATES } from '../../core/domain/statusRules'
import type { SecretBox } from '../../core/security/secretBox'

/** The synced tables a mutator changes, with their keys: what a rebase undoes and re-applies. */
export const REBASED_TABLES = {
  customers: 'cif',
  tokens: 'uid',
  requests: 'id',
  inventory: 'serial',
  staff: 'staff_id',
} as const
export type RebasedTable = keyof typeof REBASED_TABLES
type Where = Record<string, string | number>

function requestRow(r: Record<string, unknown>, branchCode: string): RequestRow {
  return {
    id: r['id'] as string,
    kind: r['kind'] as RequestRow['kind'],
    cif: r['cif'] as string,
    branchCode,
    state: r['state'] as string,
    maker: r['maker'] as string,
    checker: (r['checker'] as string | null) ?? null,
    prevStatus: (r['prev_status'] as OtpStatus | null) ?? null,
    tokenUid: (r['token_uid'] as string | null) ?? null,
    reason: (r['reason'] as string | null) ?? null,
  }
}

/**
 * The branch's side of the mutator store: its SQLite view. While a mutation is pending, every row it
 * changes is recorded with its value before (and, for a new row, after), so a pull can undo the pending
 * work, lay central's state down and re-apply it (SYNC-PROTOCOL.md: rebase). A receipt is never undone
 * (the fee was taken; the table refuses deletes): re-applying its issuance finds it as its own.
 */
export class BranchStore implements MutatorStore {
  constructor(
    private readonly trx: Knex.Transaction,
    private readonly branchCode: string,
    private readonly secretBox: SecretBox,
    private readonly now: string,
    /** The pending outbox row whose changes are recorded; null when re-applying acknowledged work. */
    private readonly outboxId: number | null,
  ) {}

  /**
   * Records what a pending mutation is about to change. For an update only the columns it changes are
   * kept (a restore must not bring back an old lockout counter or HOTP counter); for a new row, its key
   * (undo deletes it) and its content (a refused issuance's request stays on record).
   */
  private async record(table: string, where: Where, columns: string[] | null, after?: object): Promise<void> {
    if (this.outboxId === null) return
    const before = await this.trx(table).where(where).first()
    const kept = before && columns ? Object.fromEntries(columns.map((c) => [c, before[c]])) : before
    await this.trx('rebase_undo').insert({
      outbox_id: this.outboxId,
      tbl: table,
      key_json: JSON.stringify(where),
      before_json: kept ? JSON.stringify(kept) : null,
      after_json: !before && after ? JSON.stringify(after) : null,
    })
  }

  private async update(table: RebasedTable, key: string, values: Record<string, unknown>): Promise<void> {
    const where = { [REBASED_TABLES[table]]: key }
    await this.record(table, where, Object.keys(values))
    await this.trx(table).where(where).update(values)
  }

  private async insert(table: RebasedTable, key: string, row: Record<string, unknown>): Promise<void> {
    await this.record(table, { [REBASED_TABLES[table]]: key }, null, row)
    await this.trx(table).insert(row).onConflict(REBASED_TABLES[table]).merge()
  }

  async customer(cif: string) {
    const c = await this.trx('customers').where({ cif }).first('cif', 'otp_status')
    // Every customer in this PC's database is its branch's: central sends no other.
    return c ? { cif: c.cif, branchCode: this.branchCode, otpStatus: c.otp_status as OtpStatus } : undefined
  }

  async setCustomerStatus(cif: string, status: OtpStatus, at: string) {
    await this.update('customers', cif, { otp_status: status, status_changed_at: at, updated_at: this.now })
  }

  async liveToken(cif: string): Promise<TokenRow | undefined> {
    const t = await this.trx('tokens')
      .where({ cif })
      .whereIn('state', LIVE_TOKEN_STATES)
      .orderBy('issued_at', 'desc')
      .first()
    return t ? { uid: t.uid, cif: t.cif, kind: t.kind, serial: t.serial, state: t.state } : undefined
  }

  async insertToken(token: TokenRow & { issuedAt: string; requestId: string }) {
    await this.insert('tokens', token.uid, {
      uid: token.uid,
      cif: token.cif,
      kind: token.kind,
      serial: token.serial,
      state: token.state,
      issued_at: token.issuedAt,
      request_id: token.requestId,
    })
  }

  async request(id: string) {
    const r = await this.trx('requests').where({ id }).first()
    return r ? requestRow(r, this.branchCode) : undefined
  }

  async openRevocation(cif: string) {
    const r = await this.trx('requests')
      .where({ cif, kind: 'revocation' })
      .whereIn('state', ['awaiting_branch', 'awaiting_central'])
      .first()
    return r ? requestRow(r, this.branchCode) : undefined
  }

  async insertRequest(r: NewRequest) {
    await this.insert('requests', r.id, {
      id: r.id,
      kind: r.kind,
      cif: r.cif,
      token_id: null,
      token_uid: r.tokenUid,
      state: r.state,
      maker: r.maker,
      checker: r.checker,
      identity_kind: r.identity?.kind ?? null,
      identity_last4: r.identity?.last4 ?? null,
      detail_json: JSON.stringify(r.detail ?? {}),
      channel: r.channel ?? null,
      reason: r.reason ?? null,
      note: r.note ?? null,
      form_no: r.paperForm?.formNo ?? null,
      received_on: r.paperForm?.receivedOn ?? null,
      due_on: r.paperForm?.dueOn ?? null,
      seal_checked: r.paperForm ? r.paperForm.sealChecked : null,
      prev_status: r.prevStatus,
      decided_at: null,
      decided_by: null,
      decision_reason: null,
      created_at: r.createdAt,
      updated_at: this.now,
    })
  }

  async decideRequest(id: string, d: RequestDecision) {
    await this.update('requests', id, {
      state: d.state,
      ...(d.checker !== undefined ? { checker: d.checker } : {}),
      decided_at: d.decidedAt,
      decided_by: d.decidedBy,
      ...(d.decisionReason !== undefined ? { decision_reason: d.decisionReason } : {}),
      updated_at: this.now,
    })
  }

  async device(serial: string) {
    const d = await this.trx('inventory').where({ serial }).first('serial', 'branch_code', 'state')
    return d ? { serial: d.serial, branchCode: d.branch_code, state: d.state as TokenState } : undefined
  }

  async setDeviceState(serial: string, state: TokenState) {
    // A written-off device's seed is deleted at once; an issued one's when central confirms the issuance.
    await this.update('inventory', serial, {
      state,
      ...(state === 'defective' ? { seed_sealed: null } : {}),
      updated_at: this.now,
    })
  }

  async staff(staffId: string) {
    const s = await this.trx('staff')
      .where({ staff_id: staffId })
      .first('staff_id', 'branch_code', 'role', 'password_hash')
    return s
      ? {
          staffId: s.staff_id,
          branchCode: s.branch_code,
          role: s.role,
          active: true,
          passwordHash: s.password_hash,
        }
      : undefined
  }

  async setPassword(staffId: string, passwordHash: string) {
    await this.update('staff', staffId, {
      password_hash: passwordHash,
      must_change_password: false,
      updated_at: this.now,
    })
  }

  async setAuthenticator(staffId: string, totpSecret: string, enrolledAt: string) {
    await this.update('staff', staffId, {
      totp_secret_sealed: this.secretBox.seal(Buffer.from(totpSecret, 'utf8'), `totp:${staffId}`),
      totp_enrolled_at: enrolledAt,
      updated_at: this.now,
    })
  }

  async receipt(receiptNo: string) {
    const r = await this.trx('receipts').where({ receipt_no: receiptNo }).first()
    if (!r) return undefined
    const voided = await this.trx('ledger_entries').where({ receipt_no: receiptNo, kind: 'void' }).first('id')
    return {
      receiptNo: r.receipt_no,
      requestId: r.request_id ?? null,
      branchCode: r.branch_code,
      staffId: r.staff_id,
      cif: r.cif,
      businessDate: r.business_date,
      method: r.method,
      amountYen: r.amount_yen,
      voided: Boolean(voided),
    }
  }

  async insertReceipt(r: NewReceipt) {
    await this.trx('receipts')
      .insert({
        receipt_no: r.receiptNo,
        branch_code: r.branchCode,
        business_date: r.businessDate,
        seq: Number(r.receiptNo.slice(-4)),
        staff_id: r.staffId,
        cif: r.cif,
        request_id: r.requestId,
        serial: r.serial,
        method: r.method,
        amount_yen: r.amountYen,
        tax_yen: r.taxYen,
        tendered_yen: r.tenderedYen,
        change_yen: r.changeYen,
        debit_account: r.account,
        waived_by: r.waivedBy,
        waiver_reason: r.waiverReason,
        created_at: r.createdAt,
      })
      .onConflict('receipt_no')
      .ignore()
  }

  /** The negative ledger entry of a void: undone and re-applied by a rebase like the rows it belongs with. */
  async voidReceipt(receiptNo: string, input: { checker: string; reason: string; at: string }) {
    const receipt = await this.trx('receipts').where({ receipt_no: receiptNo }).first()
    const fee = await this.trx('ledger_entries').where({ receipt_no: receiptNo, kind: 'fee' }).first()
    const [id] = await this.trx('ledger_entries').insert({
      receipt_no: receiptNo,
      kind: 'void',
      staff_id: receipt.staff_id,
      business_date: receipt.business_date,
      method: receipt.method,
      amount_yen: -receipt.amount_yen,
      cash_yen: -(fee?.cash_yen ?? 0),
      reason: input.reason,
      checker: input.checker,
      created_at: input.at,
    })
    await this.recordInserted('ledger_entries', { id: id as number })
  }

  private async recordInserted(table: string, where: Where): Promise<void> {
    if (this.outboxId === null) return
    await this.trx('rebase_undo').insert({
      outbox_id: this.outboxId,
      tbl: table,
      key_json: JSON.stringify(where),
      before_json: null,
      after_json: null,
    })
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
      difference_yen: c.countedYen - c.expectedYen,
      note: c.note,
      checker: c.checker,
      closed_at: c.closedAt,
    })
    await this.recordInserted('day_closes', { staff_id: c.staffId, business_date: c.businessDate })
  }

  /** The branch writes an account-debit receipt only after central answered that the debit was made. */
  async debitMade() {
    return true
  }
}
