import { z } from 'zod'
import {
  aboutInfo,
  dashboard,
  feeRow,
  operationsRow,
  PAPER_LAYOUTS,
  paperReportInput,
  paperRevocationRow,
  pendingApprovalRow,
  reportRange,
  stockMovementRow,
  workstationSettingsInput,
  workstationSettingsView,
} from './reports'
import { backupFolderInput, backupStatus } from './backups'
import { keyRecoveryExport, keyRecoveryReenrol, keyRecoveryStatus } from './keyRecovery'
import { ACCOUNT_SUBJECTS, OTP_STATUSES, ROLES, TOKEN_KINDS, TOKEN_STATES, type Role } from './domain'

/**
 * The one table of IPC channels. Each has a zod schema for its input and its output and says who may
 * call it: 'public' (no session), 'any' (any logged-in staff) or a list of roles. `whenLocked` marks the
 * few channels that still answer while the screen is locked. Outputs are parsed too: zod drops unknown
 * keys, so nothing the contract does not name (hashes, seeds) can reach the renderer.
 */
export type Access = 'public' | 'any' | readonly Role[]

interface ChannelSpec<I extends z.ZodType, O extends z.ZodType> {
  input: I
  output: O
  access: Access
  whenLocked?: boolean
}

function channel<I extends z.ZodType, O extends z.ZodType>(spec: ChannelSpec<I, O>): ChannelSpec<I, O> {
  return spec
}

const COUNTER: readonly Role[] = ['teller', 'supervisor']

export const staffId = z.string().regex(/^[A-Z][0-9]{3,5}$/, 'staff ID is a capital letter and 3 to 5 digits')
export const cif = z.string().regex(/^[0-9]{7}$/, 'CIF number is 7 digits')
const password = z.string().min(1, 'password is required').max(128)
/** Password policy for new passwords: at least 8 characters with a letter and a digit. */
export const newPassword = z
  .string()
  .min(8, 'at least 8 characters')
  .max(128)
  .regex(/[A-Za-z]/, 'needs a letter')
  .regex(/[0-9]/, 'needs a digit')
const totpCode = z.string().regex(/^[0-9]{6}$/, 'the code is 6 digits')
const isoDateTime = z.string()
const noInput = z.object({}).strict()

export const sessionInfo = z.object({
  staffId,
  name: z.string(),
  role: z.enum(ROLES),
  branchCode: z.string(),
  branchName: z.string(),
  idleLockSeconds: z.number().int(),
  totpEnrolled: z.boolean(),
  locked: z.boolean(),
  /** HQ set a one-time password: the screen asks for a new one before anything else. */
  mustChangePassword: z.boolean(),
})
export type SessionInfo = z.infer<typeof sessionInfo>

export const account = z.object({
  branchCode: z.string(),
  subject: z.enum(ACCOUNT_SUBJECTS),
  number: z.string(),
})

export const tokenSummary = z.object({
  kind: z.enum(TOKEN_KINDS),
  serial: z.string().nullable(),
  state: z.enum(TOKEN_STATES),
  issuedAt: isoDateTime.nullable(),
  activatedAt: isoDateTime.nullable(),
})

export const customerDetail = z.object({
  cif,
  nameKanji: z.string(),
  nameKana: z.string(),
  birthDate: z.string(),
  phone: z.string(),
  homeBranch: z.string(),
  otpStatus: z.enum(OTP_STATUSES),
  statusChangedAt: isoDateTime,
  token: tokenSummary.nullable(),
  accounts: z.array(account),
})
export type CustomerDetail = z.infer<typeof customerDetail>

const yen = z.number().int().min(0).max(10_000_000)
/** `{branch}-{ws}-{yyyymmdd}-{seq4}` (docs/domain.md). */
const RECEIPT_NUMBER = /^\d{3}-\d{2}-\d{8}-\d{4}$/
const serial = z
  .string()
  .trim()
  .min(4)
  .max(32)
  .regex(/^[A-Za-z0-9-]+$/, 'serial is letters, digits and hyphens')
const reason = z.string().trim().min(2, 'a reason is required').max(200)
/** A calendar date that exists (found by fuzzing: '1542-54-79' used to reach the services and throw). */
const businessDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const at = new Date(`${d}T00:00:00Z`)
    return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === d && d >= '1900-01-01'
  }, 'not a calendar date')

export const IDENTITY_DOCUMENTS = [
  'drivers_license',
  'my_number_card',
  'passport',
  'residence_card',
  'health_insurance',
  'other',
] as const
export const identity = z
  .object({
    kind: z.enum(IDENTITY_DOCUMENTS),
    last4: z.string().regex(/^[0-9A-Za-z]{4}$/, 'the last 4 characters of the document'),
  })
  .strict()

/** A supervisor's approval given at the teller's PC. */
export const approval = z
  .object({
    staffId,
    password,
    totp: totpCode,
  })
  .strict()
export type ApprovalInput = z.infer<typeof approval>

export const searchResult = z.object({
  cif,
  nameKanji: z.string(),
  nameKana: z.string(),
  birthDate: z.string(),
  phone: z.string(),
  otpStatus: z.enum(OTP_STATUSES),
})

export const searchCursor = z.object({ key: z.string().max(200), cif }).strict()

export const requestSummary = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.string(),
  maker: z.string(),
  checker: z.string().nullable(),
  createdAt: isoDateTime,
  detail: z.record(z.string(), z.unknown()),
})

export const receiptSummary = z.object({
  receiptNo: z.string(),
  businessDate: z.string(),
  staffId: z.string(),
  cif,
  serial: z.string().nullable(),
  method: z.enum(['cash', 'account_debit', 'waiver']),
  amountYen: z.number().int(),
  taxYen: z.number().int(),
  createdAt: isoDateTime,
  voided: z.boolean(),
})

export const auditRow = z.object({
  id: z.number().int(),
  at: isoDateTime,
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityKey: z.string(),
  before: z.unknown(),
  after: z.unknown(),
})

export const customerFile = customerDetail.extend({
  requests: z.array(requestSummary),
  receipts: z.array(receiptSummary),
  audit: z.array(auditRow),
  asOf: isoDateTime.nullable(),
  stale: z.boolean(),
})
export type CustomerFile = z.infer<typeof customerFile>

export const stockItem = z.object({
  serial: z.string(),
  state: z.enum(TOKEN_STATES),
  algorithm: z.enum(['hotp', 'totp']),
  digits: z.number().int(),
  receivedOn: z.string(),
})

export const receiptDocument = receiptSummary.extend({
  bankName: z.string(),
  branchCode: z.string(),
  branchName: z.string(),
  staffName: z.string(),
  customerName: z.string(),
  netYen: z.number().int(),
  tenderedYen: z.number().int().nullable(),
  changeYen: z.number().int().nullable(),
  waivedBy: z.string().nullable(),
  waiverReason: z.string().nullable(),
  voidReason: z.string().nullable(),
})
export type ReceiptDocument = z.infer<typeof receiptDocument>

export const feePayment = z.discriminatedUnion('method', [
  z.object({ method: z.literal('cash'), tenderedYen: yen }).strict(),
  z
    .object({
      method: z.literal('account_debit'),
      account: z.string().regex(/^\d{3}-(futsu|toza|chochiku)-\d{7}$/),
    })
    .strict(),
  z.object({ method: z.literal('waiver'), reason, approval }).strict(),
])

export const daySummary = z.object({
  staffId: z.string(),
  businessDate: z.string(),
  receipts: z.array(receiptSummary),
  expectedCashYen: z.number().int(),
  feeCount: z.number().int(),
  voidCount: z.number().int(),
  closed: z
    .object({
      countedYen: z.number().int(),
      differenceYen: z.number().int(),
      note: z.string().nullable(),
      checker: z.string(),
      closedAt: isoDateTime,
    })
    .nullable(),
})

export const REVOCATION_REASONS = ['change_device', 'lost', 'stolen', 'broken', 'unneeded', 'other'] as const
export const REVOCATION_CHANNELS = ['in_person', 'paper'] as const
export const REVOCATION_STATES = [
  'awaiting_branch',
  'awaiting_central',
  'completed',
  'rejected',
  'withdrawn',
] as const
const requestId = z.string().uuid()

/**
 * 書面番号 as the bank writes it on the form: 第0123号, full-width ０１２３, F-2026-0101. NFKC first (so
 * full-width digits and hyphens become plain ones), then letters, digits, hyphens and kanji, at most 20.
 */
export const FORM_NUMBER_MAX = 20
export const formNumber = z
  .string()
  .max(200)
  .transform((v) => v.normalize('NFKC').trim())
  .pipe(
    z
      .string()
      .min(1, 'the form number is required')
      .max(FORM_NUMBER_MAX, `at most ${FORM_NUMBER_MAX} characters`)
      .regex(/^[A-Za-z0-9\-\p{Script=Han}]+$/u, 'form number is letters, digits, hyphens and kanji'),
  )

export const revocationRequestInput = z
  .object({
    cif,
    channel: z.enum(REVOCATION_CHANNELS),
    reason: z.enum(REVOCATION_REASONS),
    note: z.string().trim().max(200).optional(),
    identity: identity.optional(),
    paper: z
      .object({
        formNo: formNumber,
        receivedOn: businessDateSchema,
        sealChecked: z.literal(true, 'the seal check (届出印照合) must be done'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.reason === 'other' && !v.note)
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'その他 needs a note' })
    if (v.channel === 'in_person' && !v.identity) {
      ctx.addIssue({
        code: 'custom',
        path: ['identity'],
        message: 'an in-person revocation needs the identity check',
      })
    }
    if (v.channel === 'paper' && !v.paper) {
      ctx.addIssue({
        code: 'custom',
        path: ['paper'],
        message: 'a paper revocation needs the form number, received date and seal check',
      })
    }
  })

export const timelineEvent = z.object({
  at: isoDateTime,
  actor: z.string(),
  action: z.string(),
  detail: z.unknown(),
})

export const revocationSummary = z.object({
  id: z.string(),
  cif,
  customerName: z.string(),
  otpStatus: z.enum(OTP_STATUSES),
  channel: z.enum(REVOCATION_CHANNELS),
  reason: z.enum(REVOCATION_REASONS),
  note: z.string().nullable(),
  state: z.enum(REVOCATION_STATES),
  maker: z.string(),
  makerName: z.string(),
  checker: z.string().nullable(),
  tokenKind: z.enum(TOKEN_KINDS).nullable(),
  tokenSerial: z.string().nullable(),
  formNo: z.string().nullable(),
  receivedOn: z.string().nullable(),
  dueOn: z.string().nullable(),
  overdue: z.boolean(),
  ageDays: z.number().int(),
  createdAt: isoDateTime,
  decidedAt: isoDateTime.nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
})
export type RevocationSummary = z.infer<typeof revocationSummary>
export const revocationDetail = revocationSummary.extend({
  identityKind: z.string().nullable(),
  sealChecked: z.boolean().nullable(),
  prevStatus: z.enum(OTP_STATUSES).nullable(),
  timeline: z.array(timelineEvent),
})
export type RevocationDetail = z.infer<typeof revocationDetail>

/** 端末の初期設定: what HQ gave the branch for a new PC. */
export const setupEnrollInput = z
  .object({
    centralUrl: z.string().trim().min(8).max(200),
    branchCode: z.string().regex(/^\d{3}$/, 'the branch code is 3 digits'),
    enrollmentCode: z.string().trim().min(6).max(64),
    workstationName: z.string().trim().min(1).max(64),
  })
  .strict()

/** The first pull of a new PC: customers, staff and stock arriving, with how far it got. */
export const setupProgress = z.object({
  phase: z.enum(['not_started', 'loading', 'done', 'failed']),
  done: z.number().int(),
  total: z.number().int().nullable(),
  branchCode: z.string().nullable(),
  branchName: z.string().nullable(),
  workstationNo: z.string().nullable(),
  error: z.string().nullable(),
})
export type SetupProgress = z.infer<typeof setupProgress>

export const syncStatus = z.object({
  enrolled: z.boolean(),
  centralUrl: z.string().nullable(),
  clientId: z.string().nullable(),
  online: z.boolean(),
  lastSuccessAt: isoDateTime.nullable(),
  lastAttemptAt: isoDateTime.nullable(),
  lastError: z.string().nullable(),
  outboxDepth: z.number().int(),
  oldestWaitingAt: isoDateTime.nullable(),
  openProblems: z.number().int(),
  workstationNo: z.string().nullable(),
  workstationName: z.string().nullable(),
})
export type SyncStatus = z.infer<typeof syncStatus>
export const syncQueue = z.object({
  waiting: z.array(
    z.object({
      id: z.number().int(),
      mutationId: z.number().int().nullable(),
      name: z.string(),
      actor: z.string(),
      createdAt: isoDateTime,
      priority: z.number().int(),
    }),
  ),
  problems: z.array(
    z.object({
      id: z.number().int(),
      mutationId: z.number().int(),
      name: z.string(),
      actor: z.string(),
      code: z.string(),
      args: z.unknown(),
      /** False for a refused credential change: its secrets were not kept; the person does it again. */
      retryable: z.boolean(),
      createdAt: isoDateTime,
      resolvedAt: isoDateTime.nullable(),
      resolvedBy: z.string().nullable(),
      resolution: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
})

export const channels = {
  'app.status': channel({
    input: noInput,
    output: z.object({
      /** `keyLost`: the data key cannot be used; only the keyRecovery channels answer. */
      state: z.enum(['ready', 'corrupt', 'keyLost']),
      message: z.string().optional(),
      branchCode: z.string().nullable(),
      branchName: z.string().nullable(),
      /** An empty database: the PC opens on 端末の初期設定 until it is enrolled and filled. */
      needsSetup: z.boolean(),
    }),
    access: 'public',
    whenLocked: true,
  }),
  'setup.enroll': channel({
    input: setupEnrollInput,
    output: setupProgress,
    access: 'public',
  }),
  'setup.progress': channel({ input: noInput, output: setupProgress, access: 'public', whenLocked: true }),
  'auth.session': channel({
    input: noInput,
    output: sessionInfo.nullable(),
    access: 'public',
    whenLocked: true,
  }),
  'auth.login': channel({
    input: z.object({ staffId, password }).strict(),
    output: sessionInfo,
    access: 'public',
  }),
  'auth.logout': channel({ input: noInput, output: z.object({}), access: 'any', whenLocked: true }),
  'auth.lock': channel({ input: noInput, output: sessionInfo, access: 'any', whenLocked: true }),
  'auth.unlock': channel({
    input: z.object({ password }).strict(),
    output: sessionInfo,
    access: 'any',
    whenLocked: true,
  }),
  /** The renderer reports keyboard and mouse activity so the service's idle lock sees it too. */
  'auth.heartbeat': channel({ input: noInput, output: z.object({}), access: 'any' }),
  'auth.changePassword': channel({
    input: z.object({ currentPassword: password, newPassword }).strict(),
    output: z.object({}),
    access: 'any',
  }),
  'auth.totpEnrolStart': channel({
    input: noInput,
    output: z.object({ secret: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() }),
    access: ['supervisor'],
  }),
  'auth.totpEnrolConfirm': channel({
    /** The supervisor's password too: central checks it before it accepts the authenticator. */
    input: z.object({ code: totpCode, currentPassword: password }).strict(),
    output: sessionInfo,
    access: ['supervisor'],
  }),
  'customers.getByCif': channel({
    input: z.object({ cif }).strict(),
    output: customerDetail,
    access: COUNTER,
  }),
  'customers.search': channel({
    input: z
      .object({
        query: z.string().trim().min(1, 'enter a CIF, account, phone number or kana name').max(40),
        page: z.number().int().min(1).max(1000).default(1),
        // Keyset paging: the previous page's `next`, so a far page costs what the first one does.
        after: searchCursor.optional(),
      })
      .strict(),
    output: z.object({
      items: z.array(searchResult),
      total: z.number().int(),
      // Counting stops at a cap (a two-kana prefix can match tens of thousands): total is then "at least".
      totalIsLowerBound: z.boolean(),
      next: searchCursor.nullable(),
      page: z.number().int(),
      pageSize: z.number().int(),
      by: z.enum(['cif', 'account', 'phone', 'kana']),
    }),
    access: COUNTER,
  }),
  'customers.file': channel({ input: z.object({ cif }).strict(), output: customerFile, access: COUNTER }),
  'stock.list': channel({
    input: z
      .object({ state: z.enum(TOKEN_STATES).optional(), serialPrefix: z.string().trim().max(32).optional() })
      .strict(),
    output: z.object({ items: z.array(stockItem), counts: z.record(z.string(), z.number().int()) }),
    access: COUNTER,
  }),
  'stock.writeOff': channel({
    input: z.object({ serial, reason, approval }).strict(),
    output: stockItem,
    access: COUNTER,
  }),
  'issuance.check': channel({
    input: z.object({ cif }).strict(),
    output: z.object({
      eligible: z.boolean(),
      otpStatus: z.enum(OTP_STATUSES),
      feeYen: z.number().int(),
      online: z.boolean(),
    }),
    access: COUNTER,
  }),
  'issuance.verifyDevice': channel({
    input: z
      .object({ cif, serial, otp: z.string().regex(/^\d{6}(\d{2})?$/, 'the device shows 6 or 8 digits') })
      .strict(),
    output: z.object({ serial: z.string(), digits: z.number().int(), verifiedAt: isoDateTime }),
    access: COUNTER,
  }),
  'issuance.issue': channel({
    input: z.object({ cif, serial, identity, payment: feePayment }).strict(),
    output: z.object({ requestId: z.string(), receipt: receiptDocument }),
    access: COUNTER,
  }),
  'ledger.day': channel({
    input: z.object({ staffId: staffId.optional(), businessDate: businessDateSchema.optional() }).strict(),
    output: daySummary,
    access: COUNTER,
  }),
  'ledger.receipt': channel({
    input: z.object({ receiptNo: z.string().regex(RECEIPT_NUMBER) }).strict(),
    output: receiptDocument,
    access: COUNTER,
  }),
  'ledger.void': channel({
    input: z.object({ receiptNo: z.string().regex(RECEIPT_NUMBER), reason, approval }).strict(),
    output: receiptDocument,
    access: COUNTER,
  }),
  'ledger.closeDay': channel({
    input: z.object({ countedYen: yen, note: z.string().trim().max(200).optional(), approval }).strict(),
    output: daySummary,
    access: COUNTER,
  }),
  'revocations.request': channel({
    input: revocationRequestInput,
    output: revocationDetail,
    access: COUNTER,
  }),
  'revocations.suspend': channel({
    input: z
      .object({ cif, reason: z.enum(['lost', 'stolen']), note: z.string().trim().max(200).optional() })
      .strict(),
    output: z.object({ requestId: z.string(), otpStatus: z.enum(OTP_STATUSES) }),
    access: COUNTER,
  }),
  'revocations.approve': channel({
    input: z.object({ requestId, approval: approval.optional() }).strict(),
    output: revocationDetail,
    access: COUNTER,
  }),
  'revocations.reject': channel({
    input: z.object({ requestId, reason, approval: approval.optional() }).strict(),
    output: revocationDetail,
    access: COUNTER,
  }),
  'revocations.withdraw': channel({
    input: z.object({ requestId, reason, approval: approval.optional() }).strict(),
    output: revocationDetail,
    access: COUNTER,
  }),
  'revocations.get': channel({
    input: z.object({ requestId }).strict(),
    output: revocationDetail,
    access: COUNTER,
  }),
  'revocations.list': channel({
    input: z
      .object({
        state: z.enum(REVOCATION_STATES).optional(),
        channel: z.enum(REVOCATION_CHANNELS).optional(),
        cif: cif.optional(),
        openOnly: z.boolean().optional(),
        sort: z.enum(['age', 'due']).default('due'),
      })
      .strict(),
    output: z.object({ items: z.array(revocationSummary) }),
    access: COUNTER,
  }),
  'approvals.inbox': channel({
    input: noInput,
    output: z.object({ items: z.array(revocationSummary) }),
    access: ['supervisor'],
  }),
  'sync.status': channel({ input: noInput, output: syncStatus, access: 'any' }),
  'sync.now': channel({ input: noInput, output: syncStatus, access: 'any' }),
  'sync.enroll': channel({
    input: z
      .object({
        centralUrl: z.string().trim().min(8).max(200),
        enrollmentCode: z.string().trim().min(6).max(64),
        workstationName: z.string().trim().min(1).max(64),
      })
      .strict(),
    output: syncStatus,
    access: ['admin'],
  }),
  'sync.queue': channel({ input: noInput, output: syncQueue, access: ['supervisor', 'admin'] }),
  'sync.resolveProblem': channel({
    input: z
      .object({ id: z.number().int().positive(), action: z.enum(['retry', 'accept']), note: reason })
      .strict(),
    output: syncQueue,
    access: ['supervisor'],
  }),
  'sync.exportOutbox': channel({
    input: noInput,
    output: z.object({ fileName: z.string(), content: z.string() }),
    access: ['supervisor', 'admin'],
  }),
  'audit.list': channel({
    input: z
      .object({
        actor: z.string().trim().max(16).optional(),
        action: z.string().trim().max(40).optional(),
        entityKey: z.string().trim().max(40).optional(),
        from: businessDateSchema.optional(),
        to: businessDateSchema.optional(),
        page: z.number().int().min(1).max(10_000).default(1),
      })
      .strict(),
    output: z.object({
      items: z.array(auditRow),
      total: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
    }),
    access: ['supervisor'],
  }),
  'settings.get': channel({
    input: noInput,
    output: z.object({ idleLockSeconds: z.number().int() }),
    access: ['admin'],
  }),
  'settings.update': channel({
    input: z.object({ idleLockSeconds: z.number().int().min(60).max(3600) }).strict(),
    output: z.object({ idleLockSeconds: z.number().int() }),
    access: ['admin'],
  }),
  // ---- Reports, dashboard, printing, workstation settings, about and logs (issue 12b) ----
  'reports.operations': channel({
    input: reportRange,
    output: z.object({ rows: z.array(operationsRow) }),
    access: ['supervisor'],
  }),
  'reports.fees': channel({
    input: reportRange,
    output: z.object({ rows: z.array(feeRow) }),
    access: ['supervisor'],
  }),
  'reports.approvals': channel({
    input: reportRange,
    output: z.object({ rows: z.array(pendingApprovalRow) }),
    access: ['supervisor'],
  }),
  'reports.paperRevocations': channel({
    input: paperReportInput,
    output: z.object({ rows: z.array(paperRevocationRow) }),
    access: ['supervisor'],
  }),
  'reports.stockMovements': channel({
    input: reportRange,
    output: z.object({ rows: z.array(stockMovementRow) }),
    access: ['supervisor'],
  }),
  'dashboard.summary': channel({ input: noInput, output: dashboard, access: ['supervisor'] }),
  'settings.workstation': channel({ input: noInput, output: workstationSettingsView, access: 'any' }),
  'settings.updateWorkstation': channel({
    input: workstationSettingsInput,
    output: workstationSettingsView,
    access: ['admin'],
  }),
  /** Desktop app only: the window's print view saved as a PDF, or sent to the printer. */
  'print.pdf': channel({
    input: z
      .object({
        layout: z.enum(PAPER_LAYOUTS),
        name: z.string().trim().min(1).max(80),
      })
      .strict(),
    output: z.object({ path: z.string(), bytes: z.number().int() }),
    access: 'any',
  }),
  'print.paper': channel({
    input: z.object({ layout: z.enum(PAPER_LAYOUTS) }).strict(),
    output: z.object({}),
    access: 'any',
  }),
  'print.printers': channel({
    input: noInput,
    output: z.object({ desktop: z.boolean(), names: z.array(z.string()) }),
    access: ['admin'],
  }),
  'about.info': channel({ input: noInput, output: aboutInfo, access: 'any' }),
  'logs.export': channel({
    input: noInput,
    output: z.object({ fileName: z.string(), content: z.string(), files: z.number().int() }),
    access: ['supervisor', 'admin'],
  }),
  // ---- Backup folder, last backup and 「今すぐバックアップ」 (issue 12, h12) ----
  'backup.status': channel({ input: noInput, output: backupStatus, access: ['supervisor', 'admin'] }),
  'backup.setFolder': channel({
    input: backupFolderInput,
    output: backupStatus,
    access: ['supervisor', 'admin'],
  }),
  'backup.now': channel({ input: noInput, output: backupStatus, access: ['supervisor', 'admin'] }),
  // ---- A PC whose data key is lost: what is lost, the unsent work to a file, enrolling anew ----
  // Public: nobody can log in to a database whose key is lost. A PC with its key answers CONFLICT.
  'keyRecovery.status': channel({ input: noInput, output: keyRecoveryStatus, access: 'public' }),
  'keyRecovery.export': channel({ input: noInput, output: keyRecoveryExport, access: 'public' }),
  'keyRecovery.reenrol': channel({ input: noInput, output: keyRecoveryReenrol, access: 'public' }),
} as const

export type Channels = typeof channels
export type ChannelName = keyof Channels
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name)
}

/** Turns zod issues into the `fields` map of a VALIDATION error. */
export function issuesToFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_'
    fields[key] ??= issue.message
  }
  return fields
}
