/** The shapes central's console API answers with (src/central/hq*.ts). */
export type HqRole = 'hq_operator' | 'hq_supervisor' | 'hq_admin'
export interface Me {
  staffId: string
  name: string
  role: HqRole
}
export interface SignIn {
  stage: 'signed_in' | 'totp_enrolment'
  csrfToken: string
  me: Me
  secret?: string
  qrDataUrl?: string
}
export interface QueueItem {
  id: string
  branch: string
  branchName: string
  cif: string
  customerName: string
  channel: 'in_person' | 'paper'
  reason: string | null
  formNo: string | null
  receivedOn: string | null
  dueOn: string | null
  daysLeft: number | null
  overdue: boolean
  state: 'awaiting' | 'prepared' | 'completed' | 'rejected' | 'withdrawn'
  maker: string
  checker: string | null
  preparedBy: string | null
  preparedAt: string | null
  approvedBy: string | null
  decisionReason: string | null
}
export interface OverviewBranch {
  code: string
  name: string
  pending: number
  prepared: number
  overdue: number
  workstations: number
  offline: number
  inStock: number
  lowStock: boolean
}
export interface Overview {
  today: string
  lowStockBelow: number
  unallocated: number
  branches: OverviewBranch[]
}
export interface Workstation {
  clientId: string
  branch: string
  name: string
  workstationNo: string | null
  enrolledAt: string
  lastSeenAt: string | null
  lastPushAt: string | null
  queueDepth: number | null
  oldestPendingAt: string | null
  appVersion: string | null
  revokedAt: string | null
  offline: boolean
}
export interface Branch {
  code: string
  name: string
  workstations: Workstation[]
}
export interface BranchStaff {
  staffId: string
  branch: string
  name: string
  role: 'teller' | 'supervisor' | 'admin'
  active: boolean
  mustChangePassword: boolean
}
export interface StockBranch {
  code: string
  name: string
  inStock: number
  issued: number
  active: number
  revoked: number
  defective: number
  low: boolean
}
export interface Stock {
  unallocated: number
  lowStockBelow: number
  branches: StockBranch[]
}
export interface Device {
  serial: string
  branch: string | null
  state: string
  algorithm: string
  digits: number
  receivedOn: string | null
}
export interface DeviceHistory extends Device {
  period: number | null
  events: { at: string; event: string; branch: string | null; actor: string | null; cif?: string }[]
}
export interface PskcSummary {
  count: number
  serials: string[]
  hotp: number
  totp: number
  digits6: number
  digits8: number
  duplicates: string[]
}
export interface CsvProblem {
  line: number
  column: string | null
  code: string
  value: string | null
}
export interface CsvPreview {
  rows: number
  fresh: number
  updates: number
  problems: CsvProblem[]
  problemCount: number
}
export interface AuditItem {
  id: number
  at: string
  actor: string
  action: string
  entity: string
  entityKey: string
  before: unknown
  after: unknown
}
export interface HqStaffMember {
  staffId: string
  name: string
  role: HqRole
  active: boolean
  totpEnrolled: boolean
  lockedUntil: string | null
}

/** A branch PC whose audit log was cut short or rewritten after central anchored it (issue 10). */
export interface AuditAlert {
  clientId: string
  branch: string
  workstationNo: string | null
  workstationName: string
  kind: 'cut' | 'rewritten'
  anchoredCount: number
  anchoredHash: string
  anchoredAt: string | null
  receivedCount: number
  receivedHash: string
  detectedAt: string
}

/** 口座振替 settled at central whose receipt has not arrived (src/central/unmatchedDebits.ts). */
export interface UnmatchedDebit {
  receiptNo: string
  branch: string
  workstationNo: string | null
  workstationName: string
  cif: string
  account: string
  amountYen: number
  debitedAt: string
  state: 'waiting' | 'notSent' | 'overdue'
  lastSeenAt: string | null
}
