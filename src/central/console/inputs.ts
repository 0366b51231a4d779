import { z } from 'zod'
import { ROLES } from '../../shared/domain'
import { HQ_ROLES } from '../hqActor'
import { QUEUE_STATES } from '../hqRevocations'

/**
 * What each console endpoint takes, as zod schemas: its path parameters, its query and its body. The
 * routes parse with exactly these (path and query before the endpoint runs, the body inside it), and the
 * fuzzer (test/fuzz/console.test.ts) builds its inputs from them, as it does from the sync protocol's.
 * Path parameters and query values are only bounded here; the services check what they mean.
 */
export interface EndpointInput {
  params?: z.ZodObject
  query?: z.ZodObject
  body?: z.ZodType
  filter?: z.ZodObject
}

const branchCode = z.string().regex(/^\d{3}$/)
/** A record's key in a path (a request ID, a staff ID, a serial, a client ID): bounded, then looked up. */
const key = z.string().min(1).max(64)
/** A filter in a query string: one value, bounded (a repeated key would arrive as a list). */
const filter = z.string().max(64).optional()

const pskcUpload = z.object({
  xml: z.string().min(1),
  keyHex: z.string().trim().max(128).optional(),
  password: z.string().max(200).optional(),
})
const csvUpload = z.object({ csv: z.string() })

export const CONSOLE_INPUTS = {
  'POST /login': {
    body: z.object({
      staffId: z.string().trim().max(20),
      password: z.string().max(200),
      code: z.string().trim().max(10).optional(),
    }),
  },
  'POST /login/totp': { body: z.object({ code: z.string().trim().max(10) }) },
  'GET /session': {},
  'POST /logout': {},
  'GET /overview': {},
  'GET /revocations': {
    query: z.object({ branch: filter, state: filter }),
    // Then what the values mean: an unknown state is refused, not ignored ('' means no filter).
    filter: z.object({ branch: branchCode.optional(), state: z.enum(QUEUE_STATES).optional() }),
  },
  'POST /revocations/:id/complete': { params: z.object({ id: key }) },
  'POST /revocations/:id/prepare': { params: z.object({ id: key }) },
  'POST /revocations/:id/approve': { params: z.object({ id: key }) },
  'POST /revocations/:id/reject': {
    params: z.object({ id: key }),
    body: z.object({ reason: z.string().max(500) }),
  },
  'GET /branches': {},
  'POST /branches': { body: z.object({ code: z.string().trim(), name: z.string().max(40) }) },
  'POST /branches/:code/enrolment-codes': { params: z.object({ code: key }) },
  'POST /workstations/:clientId/revoke': { params: z.object({ clientId: key }) },
  'GET /staff': { query: z.object({ branch: filter }) },
  'POST /staff': {
    body: z.object({
      branch: branchCode,
      staffId: z.string().trim().max(10),
      name: z.string().max(40),
      role: z.enum(ROLES),
    }),
  },
  'POST /staff/:id/disable': { params: z.object({ id: key }) },
  'POST /staff/:id/role': { params: z.object({ id: key }), body: z.object({ role: z.enum(ROLES) }) },
  'POST /staff/:id/move': { params: z.object({ id: key }), body: z.object({ branch: branchCode }) },
  'POST /staff/:id/reset-password': { params: z.object({ id: key }) },
  'GET /stock': {},
  'POST /stock/pskc/preview': { body: pskcUpload },
  'POST /stock/pskc/import': { body: pskcUpload },
  'POST /stock/allocate': {
    body: z.object({
      branch: branchCode,
      count: z.number().int().min(1).max(10_000).optional(),
      serials: z.array(z.string().min(1).max(64)).max(10_000).optional(),
    }),
  },
  'GET /devices': { query: z.object({ branch: filter, state: filter, serial: filter }) },
  'GET /devices/:serial': { params: z.object({ serial: key }) },
  'POST /customers/preview': { body: csvUpload },
  'POST /customers/import': { body: csvUpload },
  // The same import in the background (issue 12's progress bar), and its progress by job ID.
  'POST /customers/import-jobs': { body: csvUpload },
  'GET /customers/import-jobs/:id': { params: z.object({ id: key }) },
  'GET /hq-staff': {},
  'POST /hq-staff': {
    body: z.object({
      staffId: z.string().trim(),
      name: z.string().max(40),
      role: z.enum(HQ_ROLES),
      password: z.string().max(200),
    }),
  },
  'POST /hq-staff/:id/:change': {
    params: z.object({ id: key, change: z.enum(['disable', 'enable', 'unlock', 'reset-authenticator']) }),
  },
  'GET /audit': {
    // A page number in digits only (fuzzing sent 1e308, which reached the database as an offset).
    query: z.object({
      actor: filter,
      action: filter,
      entityKey: filter,
      page: z
        .string()
        .regex(/^\d{1,5}$/)
        .optional(),
    }),
  },
  'GET /audit/verify': {},
  'GET /audit-alerts': {},
  'GET /unmatched-debits': {},
  'POST /unmatched-debits/:receiptNo/resolve': {
    params: z.object({ receiptNo: key }),
    // What HQ did and with whom it checked: the note is the record, so it is required.
    body: z.object({ how: z.enum(['refunded', 'matched']), note: z.string().trim().min(1).max(200) }),
  },
} satisfies Record<string, EndpointInput>

export type ConsoleRoute = keyof typeof CONSOLE_INPUTS
