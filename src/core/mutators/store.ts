import type { OtpStatus, Role, TokenKind, TokenState } from '../../shared/domain'

/**
 * What a mutator reads and writes, in the domain's words. The branch (its SQLite view, recording what
 * each pending mutation changed so a pull can rebase) and central (its authoritative tables, versioned
 * rows) each implement it over their own schema; the rules in the mutators are written once.
 */
export interface CustomerRow {
  cif: string
  branchCode: string
  otpStatus: OtpStatus
}

export interface TokenRow {
  uid: string
  cif: string
  kind: TokenKind
  serial: string | null
  state: TokenState
}

export type RequestKind = 'hard_issuance' | 'suspension' | 'revocation'

export interface RequestRow {
  id: string
  kind: RequestKind
  cif: string
  branchCode: string
  state: string
  maker: string
  checker: string | null
  prevStatus: OtpStatus | null
  tokenUid: string | null
  reason: string | null
}

export interface NewRequest {
  id: string
  kind: RequestKind
  cif: string
  state: string
  maker: string
  checker: string | null
  prevStatus: OtpStatus | null
  tokenUid: string | null
  createdAt: string
  channel?: 'in_person' | 'paper' | null
  reason?: string | null
  note?: string | null
  identity?: { kind: string; last4: string } | null
  paperForm?: { formNo: string; receivedOn: string; dueOn: string; sealChecked: boolean } | null
  /** Kind-specific facts kept as they were given (e.g. the issuance's serial and receipt). */
  detail?: Record<string, unknown>
}

export interface RequestDecision {
  state: string
  checker?: string | null
  decidedAt: string
  decidedBy: string
  decisionReason?: string | null
}

export interface DeviceRow {
  serial: string
  branchCode: string | null
  state: TokenState
}

export interface StaffRow {
  staffId: string
  branchCode: string
  role: Role
  active: boolean
  passwordHash: string
}

export interface ReceiptRow {
  receiptNo: string
  /** The issuance the receipt belongs to, where the store knows it (the branch). */
  requestId: string | null
  branchCode: string
  staffId: string
  cif: string
  businessDate: string
  method: 'cash' | 'account_debit' | 'waiver'
  amountYen: number
  voided: boolean
}

export interface NewReceipt {
  receiptNo: string
  branchCode: string
  businessDate: string
  staffId: string
  cif: string
  requestId: string
  serial: string
  method: 'cash' | 'account_debit' | 'waiver'
  amountYen: number
  taxYen: number
  tenderedYen: number | null
  changeYen: number | null
  account: string | null
  waivedBy: string | null
  waiverReason: string | null
  createdAt: string
}

export interface NewDayClose {
  staffId: string
  businessDate: string
  expectedYen: number
  countedYen: number
  note: string | null
  checker: string
  closedAt: string
}

export interface MutatorStore {
  customer(cif: string): Promise<CustomerRow | undefined>
  setCustomerStatus(cif: string, status: OtpStatus, at: string): Promise<void>

  /** The customer's one live token (DOMAIN.md: at most one), newest first if data disagrees. */
  liveToken(cif: string): Promise<TokenRow | undefined>
  insertToken(token: TokenRow & { issuedAt: string; requestId: string }): Promise<void>

  request(id: string): Promise<RequestRow | undefined>
  openRevocation(cif: string): Promise<RequestRow | undefined>
  insertRequest(request: NewRequest): Promise<void>
  decideRequest(id: string, decision: RequestDecision): Promise<void>

  device(serial: string): Promise<DeviceRow | undefined>
  setDeviceState(serial: string, state: TokenState, at: string): Promise<void>

  staff(staffId: string): Promise<StaffRow | undefined>
  setPassword(staffId: string, passwordHash: string, changedAt: string): Promise<void>
  setAuthenticator(staffId: string, totpSecret: string, enrolledAt: string): Promise<void>

  receipt(receiptNo: string): Promise<ReceiptRow | undefined>
  insertReceipt(receipt: NewReceipt): Promise<void>
  voidReceipt(receiptNo: string, input: { checker: string; reason: string; at: string }): Promise<void>
  dayClosed(staffId: string, businessDate: string): Promise<boolean>
  insertDayClose(close: NewDayClose): Promise<void>

  /**
   * 口座振替 settles at central before the receipt exists (issue 8): central answers whether the debit
   * for this receipt was made; the branch, which only issues after central said yes, answers true.
   */
  debitMade(receipt: { receiptNo: string; account: string; amountYen: number }): Promise<boolean>
}
