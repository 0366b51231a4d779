import { i18n } from '../i18n'
import jaWords from '../i18n/ja-words'
import { formatDateTime, formatWestern, formatYen } from '../../../shared/format'

/**
 * Words a person reads for what happened: every audited action and every sync mutation gets a
 * Japanese label and a one-line summary (who, what, which customer or device, amounts). The internal
 * names (`revocation.approve`, `token.issue_hard`) and the raw before/after JSON never reach the
 * screen from here; supervisors see the JSON only behind the 詳細 toggle (AuditDetail.vue).
 */
type Params = Record<string, string>
type Obj = Record<string, unknown>

const t = (key: string, params?: Params): string => i18n.global.t(key, params ?? {})
const has = (key: string): boolean => i18n.global.te(key, 'ja')

function obj(value: unknown): Obj {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {}
}
function str(value: unknown): string {
  return value === null || value === undefined || value === '' ? t('words.none') : String(value)
}
function yen(value: unknown): string {
  return typeof value === 'number' ? formatYen(value) : t('words.none')
}
/** An i18n label for a domain value ('reason.' + lost → 紛失), or — when missing. */
function label(prefix: `${string}.`, value: unknown): string {
  const key = `${prefix}${String(value)}`
  return typeof value === 'string' && has(key) ? t(key) : t('words.none')
}
/** Staff IDs as people say them; central's and the seeder's rows name no staff. */
export function who(actor: string): string {
  if (actor === 'central') return t('words.central')
  if (actor === 'system' || actor === 'setup') return t('words.system')
  return actor
}
function customer(cif: unknown): string {
  return t('words.customer', { cif: str(cif) })
}
function minutes(seconds: unknown): string {
  return typeof seconds === 'number'
    ? t('words.minutes', { n: String(Math.round(seconds / 60)) })
    : str(seconds)
}

export interface AuditLike {
  actor: string
  action: string
  entity: string
  entityKey: string
  before: unknown
  after: unknown
}

/** The named values each audit summary takes, from the row's key, before and after. */
const AUDIT_PARAMS: Record<string, (row: AuditLike, before: Obj, after: Obj) => Params> = {
  'token.issue_hard': (r, _b, a) => ({
    customer: customer(r.entityKey),
    serial: str(a['serial']),
    amount: yen(a['amountYen']),
    method: label('method.', a['method']),
    receiptNo: str(a['receiptNo']),
  }),
  'token.suspend': (r, _b, a) => ({ customer: customer(r.entityKey), reason: label('reason.', a['reason']) }),
  'inventory.otp_verified': (r, _b, a) => ({ serial: r.entityKey, customer: customer(a['cif']) }),
  'inventory.write_off': (r, _b, a) => ({
    serial: r.entityKey,
    reason: str(a['reason']),
    checker: str(a['checker']),
  }),
  'revocation.request': (r, _b, a) => ({
    customer: customer(r.entityKey),
    channel: label('channel.', a['channel']),
    reason: label('reason.', a['reason']),
    due: typeof a['dueOn'] === 'string' ? t('words.dueOn', { date: formatWestern(a['dueOn']) }) : '',
  }),
  'revocation.approve': (r, _b, a) => ({
    customer: customer(r.entityKey),
    maker: str(a['maker']),
    status: label('otpStatus.', a['otpStatus']),
  }),
  'revocation.reject': (r, _b, a) => ({ customer: customer(r.entityKey), reason: str(a['reason']) }),
  'revocation.withdraw': (r, _b, a) => ({
    customer: customer(r.entityKey),
    reason: str(a['reason']),
    status: label('otpStatus.', a['otpStatus']),
  }),
  'revocation.complete': (r, _b, a) => ({
    customer: customer(r.entityKey),
    status: label('otpStatus.', a['otpStatus']),
  }),
  'revocation.central_reject': (r, _b, a) => ({
    customer: customer(r.entityKey),
    reason: str(a['reason']),
    status: label('otpStatus.', a['otpStatus']),
  }),
  'fee.void': (_r, b, a) => ({
    receiptNo: str(a['receiptNo'] ?? b['receiptNo']),
    amount: yen(b['amountYen']),
    reason: str(a['reason']),
    checker: str(a['checker']),
  }),
  'ledger.close_day': (_r, _b, a) => ({
    date: typeof a['business_date'] === 'string' ? formatWestern(a['business_date']) : t('words.none'),
    counted: yen(a['counted_yen']),
    difference: yen(a['difference_yen']),
    checker: str(a['checker']),
  }),
  'auth.login_failed': (_r, _b, a) => ({ count: str(a['failedLogins']) }),
  'auth.unlock_failed': (_r, _b, a) => ({ count: str(a['failedLogins']) }),
  'auth.password_change_failed': (_r, _b, a) => ({ count: str(a['failedLogins']) }),
  'auth.totp_enrol_failed': (_r, _b, a) => ({ count: str(a['failedLogins']) }),
  'auth.account_locked': (_r, _b, a) => ({
    count: str(a['failedLogins']),
    until: typeof a['lockedUntil'] === 'string' ? formatDateTime(a['lockedUntil']) : t('words.none'),
  }),
  'approval.failed': (_r, _b, a) => ({ count: str(a['failedApprovals'] ?? a['failedLogins']) }),
  'approval.locked': (_r, _b, a) => ({
    count: str(a['failedApprovals'] ?? a['failedLogins']),
    until: typeof a['lockedUntil'] === 'string' ? formatDateTime(a['lockedUntil']) : t('words.none'),
  }),
  'settings.update': (r) => ({ before: minutes(r.before), after: minutes(r.after) }),
  'sync.enroll': (_r, _b, a) => ({ url: str(a['centralUrl']) }),
  'sync.problem_retry': (_r, b, a) => ({ name: mutationLabel(str(b['name'])), note: str(a['note']) }),
  'sync.problem_accept': (_r, b, a) => ({ name: mutationLabel(str(b['name'])), note: str(a['note']) }),
  'sync.export_outbox': (_r, _b, a) => ({ rows: str(a['rows']) }),
  'settings.workstation': (_r, _b, a) => ({
    layout: label('words.layout.', a['receiptLayout']),
    printer:
      typeof a['printerName'] === 'string' && a['printerName'] ? a['printerName'] : t('words.defaultPrinter'),
    threshold: str(a['lowStockThreshold']),
  }),
  'settings.backup_folder': (_r, b, a) => ({ before: str(b['folder']), after: str(a['folder']) }),
  'backup.take': (_r, _b, a) => ({ fileName: str(a['fileName']), folder: str(a['folder']) }),
  'logs.export': (_r, _b, a) => ({
    fileName: str(a['fileName']),
    files: Array.isArray(a['files']) ? String(a['files'].length) : str(a['files']),
  }),
  'sync.setup': (_r, _b, a) => ({
    url: str(a['centralUrl']),
    branch: str(a['branchCode']),
    no: str(a['workstationNo']),
  }),
  'demo.seed': (_r, _b, a) => ({ customers: str(a['customers']), stock: str(a['stock']) }),
}

/** ハードトークン発行 for `token.issue_hard`; その他の操作 for a name this version does not know. */
export function actionLabel(action: string): string {
  const key = `words.action.${action}`
  return has(key) ? t(key) : t('words.action.unknown')
}

/** One line: who did what to which customer or device, with amounts. */
export function auditSummary(row: AuditLike): string {
  const key = `words.audit.${row.action}`
  const params = AUDIT_PARAMS[row.action]?.(row, obj(row.before), obj(row.after)) ?? {}
  return has(key)
    ? t(key, { who: who(row.actor), ...params })
    : t('words.audit.unknown', { who: who(row.actor) })
}

/** Mutation names are audit action names too: the same label. */
export function mutationLabel(name: string): string {
  return actionLabel(name)
}

const MUTATION_PARAMS: Record<string, (args: Obj, actor: string) => Params> = {
  'token.issue_hard': (a) => {
    const fee = obj(a['fee'])
    return {
      customer: customer(a['cif']),
      serial: str(a['serial']),
      amount: yen(fee['amountYen']),
      method: label('method.', fee['method']),
    }
  },
  'token.suspend': (a) => ({ customer: customer(a['cif']), reason: label('reason.', a['reason']) }),
  'revocation.request': (a) => ({
    customer: customer(a['cif']),
    channel: label('channel.', a['channel']),
    reason: label('reason.', a['reason']),
  }),
  'revocation.approve': (a) => ({ checker: str(a['checker']) }),
  'revocation.reject': (a) => ({ checker: str(a['checker']), reason: str(a['reason']) }),
  'revocation.withdraw': (a) => ({ reason: str(a['reason']) }),
  'fee.void': (a) => ({
    receiptNo: str(a['receiptNo']),
    reason: str(a['reason']),
    checker: str(a['checker']),
  }),
  'ledger.close_day': (a) => ({
    staff: str(a['staffId']),
    date: typeof a['businessDate'] === 'string' ? formatWestern(a['businessDate']) : t('words.none'),
    counted: yen(a['countedYen']),
    checker: str(a['checker']),
  }),
  'inventory.write_off': (a) => ({ serial: str(a['serial']), reason: str(a['reason']) }),
  'staff.change_password': (a, actor) => ({ staff: str(a['staffId'] ?? actor) }),
  'staff.enrol_totp': (a, actor) => ({ staff: str(a['staffId'] ?? actor) }),
}

/** A queued or refused change, from its arguments (the 同期 screen). */
export function mutationSummary(name: string, args: unknown, actor = ''): string {
  const key = `words.mutation.${name}`
  if (!has(key)) return t('words.mutation.unknown')
  return t(key, MUTATION_PARAMS[name]?.(obj(args), actor) ?? {})
}

/** Every action name this version has words for (the audit viewer's filter lists them). */
export const KNOWN_ACTIONS: readonly string[] = Object.entries(jaWords.words.action).flatMap(
  ([family, names]) =>
    typeof names === 'string' ? [] : Object.keys(names).map((name) => `${family}.${name}`),
)

/**
 * The audit viewer's choices: one per label. A mutation named differently from its audit action
 * (staff.change_password, audited as staff.password_change) would otherwise appear twice.
 */
const jaLabel = (name: string): string => i18n.global.t(`words.action.${name}`, {}, { locale: 'ja' })
export const AUDIT_FILTER_ACTIONS: readonly string[] = KNOWN_ACTIONS.filter(
  (name, i) => KNOWN_ACTIONS.findIndex((other) => jaLabel(other) === jaLabel(name)) === i,
)

/** Why central refused a change, in words; an unknown code reads as a plain refusal. */
export function rejectionText(code: string): string {
  const key = `syncRejection.${code}`
  return /^[A-Z_]+$/.test(code) && has(key) ? t(key) : t('syncRejection.other')
}
