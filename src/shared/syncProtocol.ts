import { z } from 'zod'

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

export const PATCH_ENTITIES = ['customer', 'token', 'request', 'staff', 'inventory', 'settings'] as const
export const patchOp = z.union([
  z.object({
    op: z.literal('put'),
    entity: z.enum(PATCH_ENTITIES),
    key: z.string(),
    value: z.record(z.string(), z.unknown()),
  }),
  z.object({ op: z.literal('del'), entity: z.enum(PATCH_ENTITIES), key: z.string() }),
  z.object({ op: z.literal('clear') }),
])
export type PatchOp = z.infer<typeof patchOp>
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
