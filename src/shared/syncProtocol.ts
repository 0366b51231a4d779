import { z } from 'zod'
import { ACCOUNT_SUBJECTS, OTP_STATUSES, ROLES, TOKEN_KINDS, TOKEN_STATES } from './domain'

/** SYNC-PROTOCOL.md (version 1; the project's copy is docs/sync-protocol.md), shared by branch and central. */
export const SCHEMA_VERSION = 1
export const MAX_MUTATIONS_PER_PUSH = 500
export const MAX_PATCH_ENTRIES = 5000
export const MAX_BODY_BYTES = 1024 * 1024

export const MUTATION_NAMES = [
  'token.issue_hard',
  'token.suspend',
  'revocation.request',
  'revocation.approve',
  'revocation.reject',
  'revocation.withdraw',
  'fee.void',
  'ledger.close_day',
  'inventory.write_off',
  'staff.change_password',
  'staff.enrol_totp',
] as const
export type MutationName = (typeof MUTATION_NAMES)[number]

export const enrollRequest = z
  .object({
    branchCode: z.string().regex(/^\d{3}$/),
    enrollmentCode: z.string().min(6).max(64),
    workstationName: z.string().trim().min(1).max(64),
  })
  .strict()
/** Central answers with the PC's credentials, its workstation number within the branch and the branch's name. */
export const enrollResponse = z.object({
  clientId: z.string(),
  secret: z.string(),
  workstationNo: z.string().regex(/^\d{2}$/),
  branchName: z.string(),
})

/**
 * The envelope of a mutation. Its name and arguments are checked per mutation at central (src/core/mutators):
 * an unknown name or malformed arguments reject that mutation only, never the whole push.
 */
export const mutation = z
  .object({
    id: z.number().int().positive(),
    name: z.string().min(1).max(64),
    args: z.unknown(),
    createdAt: z.string().max(64),
    actor: z.string().min(1).max(16),
  })
  .strict()
export type Mutation = z.infer<typeof mutation>

export const pushRequest = z
  .object({
    clientId: z.string().min(1).max(64),
    schemaVersion: z.literal(SCHEMA_VERSION),
    mutations: z.array(mutation).max(MAX_MUTATIONS_PER_PUSH),
    /** What the PC reports about itself, shown to HQ; the audit anchor (latest audit row count and hash). */
    status: z
      .object({
        queueDepth: z.number().int().nonnegative(),
        oldestPendingAt: z.string().max(64).nullable(),
        appVersion: z.string().max(32),
        auditCount: z.number().int().nonnegative(),
        auditHash: z.string().max(128),
      })
      .strict()
      .optional(),
  })
  .strict()
export type PushRequest = z.infer<typeof pushRequest>

export const pushResult = z.object({
  id: z.number().int(),
  status: z.enum(['applied', 'rejected', 'duplicate']),
  code: z.string().optional(),
})
export const pushResponse = z.object({ lastMutationId: z.number().int(), results: z.array(pushResult) })
export type PushResponse = z.infer<typeof pushResponse>

export const pullRequest = z
  .object({ clientId: z.string().min(1).max(64), cookie: z.number().int().nonnegative().nullable() })
  .strict()

/**
 * What a pull carries, one schema per entity (docs/sync-protocol.md: Pull). Central builds each value from
 * its rows (src/central/pullEntities.ts) and the branch writes rows from it (src/main/sync/patch.ts); both
 * mappings are typed by these schemas, so a field misspelt on either side does not compile. Unknown fields
 * are dropped when parsed, so a newer central can add one without stopping an older PC.
 */
const nullableText = z.string().nullable()
export const customerValue = z.object({
  cif: z.string(),
  nameKanji: z.string(),
  nameKana: z.string(),
  birthDate: z.string(),
  phone: z.string(),
  homeBranch: z.string(),
  otpStatus: z.enum(OTP_STATUSES),
  statusChangedAt: z.string(),
  accounts: z.array(
    z.object({ branchCode: z.string(), subject: z.enum(ACCOUNT_SUBJECTS), number: z.string() }),
  ),
})
export const tokenValue = z.object({
  uid: z.string(),
  cif: z.string(),
  kind: z.enum(TOKEN_KINDS),
  serial: nullableText,
  state: z.enum(TOKEN_STATES),
  issuedAt: nullableText,
  activatedAt: nullableText,
  revokedAt: nullableText,
})
export const requestValue = z.object({
  id: z.string(),
  kind: z.enum(['hard_issuance', 'suspension', 'revocation']),
  cif: z.string(),
  state: z.string(),
  maker: z.string(),
  checker: nullableText,
  prevStatus: z.enum(OTP_STATUSES).nullable(),
  tokenUid: nullableText,
  createdAt: nullableText,
  decidedAt: nullableText,
  decisionReason: nullableText,
  /** What the request recorded (channel, reason, note, paper form, identity; an issuance's serial and receipt). */
  detail: z.looseObject({
    channel: nullableText.optional(),
    reason: nullableText.optional(),
    note: nullableText.optional(),
    paperForm: z.looseObject({ formNo: z.string(), receivedOn: z.string() }).nullable().optional(),
    identity: z.looseObject({ kind: z.string(), last4: z.string() }).nullable().optional(),
  }),
})
export const staffValue = z.object({
  staffId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  passwordHash: z.string(),
  mustChangePassword: z.boolean(),
  /** Supervisors' authenticator keys travel plain inside TLS and are sealed at once on arrival. */
  totpSecret: nullableText,
  totpEnrolledAt: nullableText,
})
export const inventoryValue = z.object({
  serial: z.string(),
  state: z.enum(TOKEN_STATES),
  algorithm: z.enum(['hotp', 'totp']),
  digits: z.number().int(),
  period: z.number().int().nullable(),
  counter: z.number().int(),
  /** Base64; only for a device in this branch's stock. */
  seed: nullableText,
  receivedOn: nullableText,
})

export const SYNC_ENTITIES = {
  customer: customerValue,
  token: tokenValue,
  request: requestValue,
  staff: staffValue,
  inventory: inventoryValue,
} as const
export type SyncEntity = keyof typeof SYNC_ENTITIES
export type SyncValue<E extends SyncEntity> = z.output<(typeof SYNC_ENTITIES)[E]>
/** In the order a pull reads them: a row's parent comes before it within one version. */
export const SYNC_ENTITY_NAMES = Object.keys(SYNC_ENTITIES) as [SyncEntity, ...SyncEntity[]]

const putOf = <E extends SyncEntity>(entity: E) =>
  z.object({ op: z.literal('put'), entity: z.literal(entity), key: z.string(), value: SYNC_ENTITIES[entity] })
export const patchOp = z.union([
  z.discriminatedUnion('entity', [
    putOf('customer'),
    putOf('token'),
    putOf('request'),
    putOf('staff'),
    putOf('inventory'),
  ]),
  z.object({ op: z.literal('del'), entity: z.enum(SYNC_ENTITY_NAMES), key: z.string() }),
  z.object({ op: z.literal('clear') }),
])
export type PatchOp = z.infer<typeof patchOp>
export type PutOp<E extends SyncEntity = SyncEntity> = {
  op: 'put'
  entity: E
  key: string
  value: SyncValue<E>
}
export const pullResponse = z.object({
  cookie: z.number().int(),
  lastMutationId: z.number().int(),
  patch: z.array(patchOp),
  more: z.boolean(),
  /** Entries still to come after this page: a new PC's first pull shows progress with it. */
  remaining: z.number().int().nonnegative().optional(),
  /** This PC's mutations central rejected since the cookie: none is lost when a push answer was. */
  rejections: z.array(z.object({ id: z.number().int(), code: z.string() })).optional(),
})
export type PullResponse = z.infer<typeof pullResponse>

export const syncError = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

/**
 * 口座振替 (issue 8): the branch asks central to debit the customer's account before the receipt exists.
 * Idempotent on the receipt number: a retry answers what the first debit did.
 */
export const debitRequest = z
  .object({
    clientId: z.string().min(1).max(64),
    receiptNo: z.string().regex(/^\d{3}-\d{2}-\d{8}-\d{4}$/),
    cif: z.string().regex(/^[0-9]{7}$/),
    account: z.string().regex(/^\d{3}-(futsu|toza|chochiku)-\d{7}$/),
    amountYen: z.number().int().positive().max(10_000_000),
  })
  .strict()
export const DEBIT_REFUSALS = [
  'INSUFFICIENT_FUNDS',
  'ACCOUNT_CLOSED',
  'UNKNOWN_ACCOUNT',
  'DEBIT_CONFLICT',
] as const
export const debitResponse = z.union([
  z.object({ ok: z.literal(true), debitedAt: z.string() }),
  z.object({ ok: z.literal(false), code: z.enum(DEBIT_REFUSALS) }),
])
export type DebitResponse = z.infer<typeof debitResponse>
