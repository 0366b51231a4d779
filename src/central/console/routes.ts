import { randomInt } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { HQ_ROLES, type HqRole } from '../hqActor'
import { listHqAudit, verifyHqAudit } from '../hqAudit'
import { listAuditAlerts } from '../auditAlerts'
import { listUnmatchedDebits, resolveUnmatchedDebit } from '../unmatchedDebits'
import { addBranch, issueEnrolmentCode, listBranches, overview, revokeWorkstation } from '../hqBranches'
import { listBranchStaff } from '../hqBranchStaff'
import { importCustomerCsv, previewCustomerCsv } from '../hqCustomers'
import { ImportJobs } from '../importJobs'
import {
  approveRevocationCompletion,
  completeRevocation,
  prepareRevocationCompletion,
  rejectRevocation,
  revocationQueue,
} from '../hqRevocations'
import { addHqStaff, changeHqStaff, listHqStaff } from '../hqStaff'
import { allocateStock, deviceHistory, importPskc, listDevices, previewPskc, stockSummary } from '../hqStock'
import { addStaff, disableStaff, moveStaff, resetStaffPassword, setStaffRole } from '../staffAdmin'
import { CONSOLE_API, consoleHttp, parse, refuse, type ConsoleDeps } from './http'
import { registerSignIn } from './signInRoutes'
import { CONSOLE_INPUTS } from './inputs'

export { CONSOLE_ENDPOINTS } from './http'
export type { ConsoleDeps } from './http'

/** Who may call an endpoint (issue 9's authorization matrix). Checked before the body is read. */
const ANY_HQ: readonly HqRole[] = HQ_ROLES
const DESK: readonly HqRole[] = ['hq_operator', 'hq_supervisor']
const SUPERVISOR: readonly HqRole[] = ['hq_supervisor']
const ADMIN: readonly HqRole[] = ['hq_admin']
const OVERSIGHT: readonly HqRole[] = ['hq_supervisor', 'hq_admin']

const UPLOAD_LIMIT = 16 * 1024 * 1024

/** A one-time password HQ shows once: no look-alike characters, so it can be read out over the phone. */
const ONE_TIME_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789'
function oneTimePassword(): string {
  return Array.from({ length: 10 }, () => ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)]).join('')
}

/** The console's API under /console/api: sign-in, then one endpoint per HQ capability with its roles. */
export function registerConsoleApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const http = consoleHttp(app, deps)
  const { endpoint } = http
  registerSignIn(app, deps, http)

  // --- Overview and the 利用解除 queue ------------------------------------------------------------
  endpoint('GET', '/overview', ANY_HQ, ({ ctx }) => overview(ctx))

  endpoint('GET', '/revocations', ANY_HQ, ({ ctx, query }) => {
    const filter = parse(CONSOLE_INPUTS['GET /revocations'].filter, {
      branch: query['branch'] || undefined,
      state: query['state'] || undefined,
    })
    return revocationQueue(ctx, filter)
  })
  endpoint('POST', '/revocations/:id/complete', DESK, async ({ ctx, params }) => {
    await completeRevocation(ctx, params['id']!)
    return { state: 'completed' }
  })
  endpoint('POST', '/revocations/:id/prepare', DESK, async ({ ctx, params }) => {
    await prepareRevocationCompletion(ctx, params['id']!)
    return { state: 'prepared' }
  })
  endpoint('POST', '/revocations/:id/approve', SUPERVISOR, async ({ ctx, params }) => {
    await approveRevocationCompletion(ctx, params['id']!)
    return { state: 'completed' }
  })
  endpoint('POST', '/revocations/:id/reject', DESK, async ({ ctx, params, body }) => {
    const { reason } = parse(CONSOLE_INPUTS['POST /revocations/:id/reject'].body, body)
    await rejectRevocation(ctx, params['id']!, reason)
    return { state: 'rejected' }
  })

  // --- Branches and workstations -----------------------------------------------------------------
  endpoint('GET', '/branches', ANY_HQ, ({ ctx }) => listBranches(ctx))
  endpoint('POST', '/branches', ADMIN, async ({ ctx, body }) => {
    const input = parse(CONSOLE_INPUTS['POST /branches'].body, body)
    await addBranch(ctx, input.code, input.name)
    return { code: input.code }
  })
  endpoint('POST', '/branches/:code/enrolment-codes', ADMIN, ({ ctx, params }) =>
    issueEnrolmentCode(ctx, params['code']!),
  )
  endpoint('POST', '/workstations/:clientId/revoke', ADMIN, async ({ ctx, params }) => {
    await revokeWorkstation(ctx, params['clientId']!)
    return { revoked: true }
  })

  // --- Branch staff ------------------------------------------------------------------------------
  endpoint('GET', '/staff', OVERSIGHT, ({ ctx, query }) =>
    listBranchStaff(ctx, { branch: query['branch'] || undefined }),
  )
  // New staff and reset passwords get a one-time password, shown once, changed at the next login.
  endpoint('POST', '/staff', ADMIN, async ({ ctx, body }) => {
    const input = parse(CONSOLE_INPUTS['POST /staff'].body, body)
    const password = oneTimePassword()
    await addStaff(ctx.db, ctx.actor, { ...input, password }, ctx.now)
    return { staffId: input.staffId, oneTimePassword: password }
  })
  endpoint('POST', '/staff/:id/disable', ADMIN, async ({ ctx, params }) => {
    await disableStaff(ctx.db, ctx.actor, { staffId: params['id']! }, ctx.now)
    return { staffId: params['id'] }
  })
  endpoint('POST', '/staff/:id/role', ADMIN, async ({ ctx, params, body }) => {
    const { role } = parse(CONSOLE_INPUTS['POST /staff/:id/role'].body, body)
    await setStaffRole(ctx.db, ctx.actor, { staffId: params['id']!, role }, ctx.now)
    return { staffId: params['id'], role }
  })
  endpoint('POST', '/staff/:id/move', ADMIN, async ({ ctx, params, body }) => {
    const { branch } = parse(CONSOLE_INPUTS['POST /staff/:id/move'].body, body)
    await moveStaff(ctx.db, ctx.actor, { staffId: params['id']!, branch }, ctx.now)
    return { staffId: params['id'], branch }
  })
  endpoint('POST', '/staff/:id/reset-password', ADMIN, async ({ ctx, params }) => {
    const password = oneTimePassword()
    await resetStaffPassword(ctx.db, ctx.actor, { staffId: params['id']!, password }, ctx.now)
    return { staffId: params['id'], oneTimePassword: password }
  })

  // --- Hard-token stock --------------------------------------------------------------------------
  const upload = (body: unknown) => {
    const u = parse(CONSOLE_INPUTS['POST /stock/pskc/import'].body, body)
    return {
      xml: u.xml,
      ...(u.keyHex ? { keyHex: u.keyHex } : {}),
      ...(u.password ? { password: u.password } : {}),
    }
  }
  endpoint('GET', '/stock', ANY_HQ, ({ ctx }) => stockSummary(ctx))
  endpoint('POST', '/stock/pskc/preview', DESK, ({ ctx, body }) => previewPskc(ctx, upload(body)), {
    bodyLimit: UPLOAD_LIMIT,
  })
  endpoint('POST', '/stock/pskc/import', DESK, ({ ctx, body }) => importPskc(ctx, upload(body)), {
    bodyLimit: UPLOAD_LIMIT,
  })
  endpoint('POST', '/stock/allocate', DESK, async ({ ctx, body }) => {
    const input = parse(CONSOLE_INPUTS['POST /stock/allocate'].body, body)
    const serials = await allocateStock(ctx, input.branch, { serials: input.serials, count: input.count })
    return { branch: input.branch, serials }
  })
  endpoint('GET', '/devices', ANY_HQ, ({ ctx, query }) =>
    listDevices(ctx, {
      branch: query['branch'] || undefined,
      state: query['state'] || undefined,
      serial: query['serial'] || undefined,
    }),
  )
  endpoint('GET', '/devices/:serial', ANY_HQ, ({ ctx, params }) => deviceHistory(ctx, params['serial']!))

  // --- Customers ---------------------------------------------------------------------------------
  const csvUpload = CONSOLE_INPUTS['POST /customers/import'].body
  endpoint(
    'POST',
    '/customers/preview',
    DESK,
    ({ ctx, body }) => previewCustomerCsv(ctx, parse(csvUpload, body).csv),
    {
      bodyLimit: UPLOAD_LIMIT,
    },
  )
  endpoint(
    'POST',
    '/customers/import',
    DESK,
    ({ ctx, body }) => importCustomerCsv(ctx, parse(csvUpload, body).csv),
    {
      bodyLimit: UPLOAD_LIMIT,
    },
  )
  // The same import in the background, for the console's progress bar (issue 12): start, then poll.
  const importJobs = new ImportJobs()
  endpoint(
    'POST',
    '/customers/import-jobs',
    DESK,
    async ({ ctx, body, session }) => {
      const { csv } = parse(csvUpload, body)
      return importJobs.start(session.staffId, (onProgress) => importCustomerCsv(ctx, csv, onProgress))
    },
    { bodyLimit: UPLOAD_LIMIT },
  )
  endpoint('GET', '/customers/import-jobs/:id', DESK, async ({ session, params }) =>
    importJobs.view(session.staffId, params['id']!),
  )

  // --- HQ staff and HQ audit ---------------------------------------------------------------------
  endpoint('GET', '/hq-staff', ADMIN, ({ ctx }) => listHqStaff(ctx.db, ctx.actor))
  endpoint('POST', '/hq-staff', ADMIN, async ({ ctx, body }) => {
    const input = parse(CONSOLE_INPUTS['POST /hq-staff'].body, body)
    await addHqStaff(ctx.db, ctx.actor, input, ctx.now)
    return { staffId: input.staffId }
  })
  endpoint('POST', '/hq-staff/:id/:change', ADMIN, async ({ ctx, params }) => {
    const change = params['change'] as 'disable' | 'enable' | 'unlock' | 'reset-authenticator'
    await changeHqStaff(
      ctx.db,
      ctx.actor,
      { staffId: params['id']!, change: change === 'reset-authenticator' ? 'reset_authenticator' : change },
      ctx.now,
    )
    return { staffId: params['id'], change }
  })
  endpoint('GET', '/audit', OVERSIGHT, ({ ctx, query }) =>
    listHqAudit(ctx.db, {
      actor: query['actor'] || undefined,
      action: query['action'] || undefined,
      entityKey: query['entityKey'] || undefined,
      page: Number(query['page'] ?? 1) || 1,
    }),
  )
  endpoint('GET', '/audit/verify', OVERSIGHT, ({ ctx }) => verifyHqAudit(ctx.db))
  // Branch PCs whose audit log was cut short or rewritten after central anchored it (issue 10).
  endpoint('GET', '/audit-alerts', OVERSIGHT, ({ ctx }) => listAuditAlerts(ctx))
  // 口座振替 settled at central whose receipt never came: the customer was charged and no receipt stands.
  endpoint('GET', '/unmatched-debits', DESK, ({ ctx }) => listUnmatchedDebits(ctx))
  endpoint('POST', '/unmatched-debits/:receiptNo/resolve', DESK, async ({ ctx, params, body }) => {
    const input = parse(CONSOLE_INPUTS['POST /unmatched-debits/:receiptNo/resolve'].body, body)
    await resolveUnmatchedDebit(ctx, params['receiptNo']!, input)
    return { receiptNo: params['receiptNo'], resolved: input.how }
  })

  // An unknown API path answers in the console's shape rather than Fastify's.
  app.all(`${CONSOLE_API}/*`, (_request, reply) => refuse(reply, 'NOT_FOUND'))
}
