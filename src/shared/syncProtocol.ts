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
] as const

export const enrollRequest = z
  .object({
    branchCode: z.string().regex(/^\d{3}$/),
    enrollmentCode: z.string().min(6).max(64),
    workstationName: z.string().trim().min(1).max(64),
  })
  .strict()
export const enrollResponse = z.object({ clientId: z.string(), secret: z.string() })

export const mutation = z
  .object({
    id: z.number().int().positive(),
    name: z.enum(MUTATION_NAMES),
    args: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    actor: z.string().min(1).max(16),
  })
  .strict()
export type Mutation = z.infer<typeof mutation>

export const pushRequest = z
  .object({
    clientId: z.string().min(1).max(64),
    schemaVersion: z.literal(SCHEMA_VERSION),
    mutations: z.array(mutation).max(MAX_MUTATIONS_PER_PUSH),
  })
  .strict()

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
})
export type PullResponse = z.infer<typeof pullResponse>

export const syncError = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
