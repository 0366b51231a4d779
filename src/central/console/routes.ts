import { randomInt } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Knex } from 'knex'
import QRCode from 'qrcode'
import { authenticator } from 'otplib'
import { z } from 'zod'
import type { SecretBox } from '../../core/security/secretBox'
import { Hq } from '../hq'
import { HQ_ROLES, HqForbidden, type HqRole } from '../hqActor'
import { listHqAudit, verifyHqAudit } from '../hqAudit'
import { addBranch, issueEnrolmentCode, listBranches, overview, revokeWorkstation } from '../hqBranches'
import { listBranchStaff } from '../hqBranchStaff'
import type { HqContext } from '../hqContext'
import { importCustomerCsv, previewCustomerCsv } from '../hqCustomers'
import { HqError } from '../hqError'
import {
  approveRevocationCompletion,
  completeRevocation,
  prepareRevocationCompletion,
  QUEUE_STATES,
  rejectRevocation,
  revocationQueue,
} from '../hqRevocations'
import { addHqStaff, changeHqStaff, checkHqSignIn, confirmHqTotp, listHqStaff } from '../hqStaff'
import {
  addStaff,
  disableStaff,
  moveStaff,
  resetStaffPassword,
  setStaffRole,
  StaffAdminError,
} from '../staffAdmin'
import { ROLES } from '../../shared/domain'
import { allocateStock, deviceHistory, importPskc, listDevices, previewPskc, stockSummary } from '../hqStock'
import {
  clearedCookie,
  createSession,
  CSRF_HEADER,
  csrfMatches,
  endSession,
  findSession,
  finishEnrolment,
  readCookie,
  SESSION_COOKIE,
  sessionCookie,
  type HqSession,
} from './sessions'

export interface ConsoleDeps {
  db: Knex
  secretBox: SecretBox
  now: () => Date
  /** Central serves TLS: the session cookie is then Secure. */
  secure: boolean
}

/** Who may call an endpoint (issue 9's authorization matrix). Checked before the body is read. */
const ANY_HQ: readonly HqRole[] = HQ_ROLES
const DESK: readonly HqRole[] = ['hq_operator', 'hq_supervisor']
const SUPERVISOR: readonly HqRole[] = ['hq_supervisor']
const ADMIN: readonly HqRole[] = ['hq_admin']
const OVERSIGHT: readonly HqRole[] = ['hq_supervisor', 'hq_admin']

export const CONSOLE_API = '/console/api'
/** Every console endpoint and who may call it; the authorization test walks this list. */
export const CONSOLE_ENDPOINTS: {
  method: 'GET' | 'POST'
  url: string
  roles: readonly HqRole[] | 'public' | 'session'
}[] = []

function listEndpoint(entry: (typeof CONSOLE_ENDPOINTS)[number]) {
  const known = CONSOLE_ENDPOINTS.some((e) => e.method === entry.method && e.url === entry.url)
  if (!known) CONSOLE_ENDPOINTS.push(entry)
}

const UPLOAD_LIMIT = 16 * 1024 * 1024

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_OTP: 401,
  ACCOUNT_LOCKED: 423,
  FORBIDDEN: 403,
  CSRF: 403,
  TOTP_ENROLMENT_REQUIRED: 403,
  NOT_FOUND: 404,
  VALIDATION: 400,
}

function refuse(reply: FastifyReply, code: string, details?: unknown, message?: string) {
  return reply
    .code(STATUS[code] ?? 422)
    .send({ error: { code, ...(message ? { message } : {}), ...(details ? { details } : {}) } })
}

class Refusal extends Error {
  constructor(
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(code)
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {})
  if (!result.success) {
    const fields: Record<string, string> = {}
    for (const issue of result.error.issues) fields[issue.path.join('.') || '_'] = 'INVALID'
    throw new Refusal('VALIDATION', { fields })
  }
  return result.data
}

/** A change must come from the console's own page: same Origin when the browser says one, and the CSRF token. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin
  if (!origin) return true
  try {
    return new URL(origin).host === request.headers.host
  } catch {
    return false
  }
}

/** A one-time password HQ shows once: no look-alike characters, so it can be read out over the phone. */
const ONE_TIME_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789'
function oneTimePassword(): string {
  return Array.from({ length: 10 }, () => ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)]).join('')
}

interface Call {
  ctx: HqContext
  hq: Hq
  session: HqSession
  body: unknown
  query: Record<string, string | undefined>
  params: Record<string, string>
}

const me = (s: HqSession) => ({ staffId: s.staffId, name: s.name, role: s.role })

export function registerConsoleApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const { db, secretBox, now } = deps

  async function currentSession(request: FastifyRequest) {
    return findSession(db, secretBox, readCookie(request.headers.cookie, SESSION_COOKIE), now())
  }

  async function guard(
    request: FastifyRequest,
    reply: FastifyReply,
    access: readonly HqRole[] | 'session' | 'enrolment',
    change: boolean,
  ): Promise<HqSession | null> {
    const session = await currentSession(request)
    if (!session) {
      // Clear only a cookie that was sent and is dead: answering a cookie-less (e.g. cross-site) request
      // with a clearing Set-Cookie would let any other site log HQ staff out.
      if (readCookie(request.headers.cookie, SESSION_COOKIE))
        reply.header('set-cookie', clearedCookie(deps.secure))
      throw new Refusal('UNAUTHENTICATED')
    }
    if (change && (!sameOrigin(request) || !csrfMatches(session, request.headers[CSRF_HEADER])))
      throw new Refusal('CSRF')
    if (access === 'enrolment') {
      if (session.stage !== 'totp_enrolment') throw new Refusal('FORBIDDEN')
    } else if (access !== 'session') {
      if (session.stage !== 'signed_in') throw new Refusal('TOTP_ENROLMENT_REQUIRED')
      if (!access.includes(session.role)) throw new Refusal('FORBIDDEN')
    }
    return session
  }

  async function answer(reply: FastifyReply, work: () => Promise<unknown>) {
    try {
      return reply.send(await work())
    } catch (e) {
      if (e instanceof Refusal) return refuse(reply, e.code, e.details)
      if (e instanceof HqForbidden) return refuse(reply, 'FORBIDDEN')
      if (e instanceof HqError) return refuse(reply, e.code, e.details, e.message)
      if (e instanceof StaffAdminError) return refuse(reply, e.code, undefined, e.message)
      throw e
    }
  }

  function endpoint(
    method: 'GET' | 'POST',
    url: string,
    roles: readonly HqRole[],
    run: (call: Call) => Promise<unknown>,
    options: { bodyLimit?: number } = {},
  ) {
    listEndpoint({ method, url: `${CONSOLE_API}${url}`, roles })
    app.route({
      method,
      url: `${CONSOLE_API}${url}`,
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
      handler: (request, reply) =>
        answer(reply, async () => {
          const session = (await guard(request, reply, roles, method === 'POST'))!
          const actor = { kind: 'hq' as const, staffId: session.staffId, role: session.role }
          const hq = new Hq(db, secretBox, now, actor)
          return run({
            ctx: hq.context(),
            hq,
            session,
            body: request.body,
            query: request.query as Record<string, string | undefined>,
            params: request.params as Record<string, string>,
          })
        }),
    })
  }

  // --- Sign-in -------------------------------------------------------------------------------------
  listEndpoint({ method: 'POST', url: `${CONSOLE_API}/login`, roles: 'public' })
  app.post(`${CONSOLE_API}/login`, (request, reply) =>
    answer(reply, async () => {
      const input = parse(
        z.object({
          staffId: z.string().trim().max(20),
          password: z.string().max(200),
          code: z.string().trim().max(10).optional(),
        }),
        request.body,
      )
      if (!sameOrigin(request)) throw new Refusal('CSRF')
      const outcome = await checkHqSignIn(db, secretBox, input, now())
      const pending = outcome.stage === 'totp_enrolment' ? outcome.secret : null
      const made = await createSession(db, secretBox, outcome.staff.staff_id, outcome.stage, pending, now())
      reply.header('set-cookie', sessionCookie(made.token, deps.secure))
      const who = { staffId: outcome.staff.staff_id, name: outcome.staff.name, role: outcome.staff.role }
      if (!pending) return { stage: 'signed_in', csrfToken: made.csrfToken, me: who }
      const otpauthUrl = authenticator.keyuri(who.staffId, 'Token Desk HQ', pending)
      return {
        stage: 'totp_enrolment',
        csrfToken: made.csrfToken,
        me: who,
        secret: pending,
        qrDataUrl: await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 220 }),
      }
    }),
  )

  listEndpoint({ method: 'POST', url: `${CONSOLE_API}/login/totp`, roles: 'session' })
  app.post(`${CONSOLE_API}/login/totp`, (request, reply) =>
    answer(reply, async () => {
      const session = (await guard(request, reply, 'enrolment', true))!
      const { code } = parse(z.object({ code: z.string().trim().max(10) }), request.body)
      await confirmHqTotp(db, secretBox, session.staffId, session.pendingTotpSecret!, code, now())
      await finishEnrolment(db, session)
      return { stage: 'signed_in', csrfToken: session.csrfToken, me: me(session) }
    }),
  )

  listEndpoint({ method: 'GET', url: `${CONSOLE_API}/session`, roles: 'session' })
  app.get(`${CONSOLE_API}/session`, (request, reply) =>
    answer(reply, async () => {
      const session = (await guard(request, reply, 'session', false))!
      return { stage: session.stage, csrfToken: session.csrfToken, me: me(session) }
    }),
  )

  listEndpoint({ method: 'POST', url: `${CONSOLE_API}/logout`, roles: 'session' })
  app.post(`${CONSOLE_API}/logout`, (request, reply) =>
    answer(reply, async () => {
      const session = (await guard(request, reply, 'session', true))!
      await endSession(db, session)
      reply.header('set-cookie', clearedCookie(deps.secure))
      return { ok: true }
    }),
  )

  // --- Overview and the 利用解除 queue ------------------------------------------------------------
  endpoint('GET', '/overview', ANY_HQ, ({ ctx }) => overview(ctx))

  endpoint('GET', '/revocations', ANY_HQ, ({ ctx, query }) => {
    const filter = parse(
      z.object({
        branch: z
          .string()
          .regex(/^\d{3}$/)
          .optional(),
        state: z.enum(QUEUE_STATES).optional(),
      }),
      { branch: query['branch'] || undefined, state: query['state'] || undefined },
    )
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
    const { reason } = parse(z.object({ reason: z.string().max(500) }), body)
    await rejectRevocation(ctx, params['id']!, reason)
    return { state: 'rejected' }
  })

  // --- Branches and workstations -----------------------------------------------------------------
  endpoint('GET', '/branches', ANY_HQ, ({ ctx }) => listBranches(ctx))
  endpoint('POST', '/branches', ADMIN, async ({ ctx, body }) => {
    const input = parse(z.object({ code: z.string().trim(), name: z.string().max(40) }), body)
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
    const input = parse(
      z.object({
        branch: z.string().regex(/^\d{3}$/),
        staffId: z.string().trim().max(10),
        name: z.string().max(40),
        role: z.enum(ROLES),
      }),
      body,
    )
    const password = oneTimePassword()
    await addStaff(ctx.db, ctx.actor, { ...input, password }, ctx.now)
    return { staffId: input.staffId, oneTimePassword: password }
  })
  endpoint('POST', '/staff/:id/disable', ADMIN, async ({ ctx, params }) => {
    await disableStaff(ctx.db, ctx.actor, { staffId: params['id']! }, ctx.now)
    return { staffId: params['id'] }
  })
  endpoint('POST', '/staff/:id/role', ADMIN, async ({ ctx, params, body }) => {
    const { role } = parse(z.object({ role: z.enum(ROLES) }), body)
    await setStaffRole(ctx.db, ctx.actor, { staffId: params['id']!, role }, ctx.now)
    return { staffId: params['id'], role }
  })
  endpoint('POST', '/staff/:id/move', ADMIN, async ({ ctx, params, body }) => {
    const { branch } = parse(z.object({ branch: z.string().regex(/^\d{3}$/) }), body)
    await moveStaff(ctx.db, ctx.actor, { staffId: params['id']!, branch }, ctx.now)
    return { staffId: params['id'], branch }
  })
  endpoint('POST', '/staff/:id/reset-password', ADMIN, async ({ ctx, params }) => {
    const password = oneTimePassword()
    await resetStaffPassword(ctx.db, ctx.actor, { staffId: params['id']!, password }, ctx.now)
    return { staffId: params['id'], oneTimePassword: password }
  })

  // --- Hard-token stock --------------------------------------------------------------------------
  const pskcUpload = z.object({
    xml: z.string().min(1),
    keyHex: z.string().trim().max(128).optional(),
    password: z.string().max(200).optional(),
  })
  const upload = (body: unknown) => {
    const u = parse(pskcUpload, body)
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
    const input = parse(
      z.object({
        branch: z.string().regex(/^\d{3}$/),
        count: z.number().int().min(1).max(10_000).optional(),
        serials: z.array(z.string().min(1).max(64)).max(10_000).optional(),
      }),
      body,
    )
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
  const csvUpload = z.object({ csv: z.string() })
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

  // --- HQ staff and HQ audit ---------------------------------------------------------------------
  endpoint('GET', '/hq-staff', ADMIN, ({ ctx }) => listHqStaff(ctx.db, ctx.actor))
  endpoint('POST', '/hq-staff', ADMIN, async ({ ctx, body }) => {
    const input = parse(
      z.object({
        staffId: z.string().trim(),
        name: z.string().max(40),
        role: z.enum(HQ_ROLES),
        password: z.string().max(200),
      }),
      body,
    )
    await addHqStaff(ctx.db, ctx.actor, input, ctx.now)
    return { staffId: input.staffId }
  })
  endpoint('POST', '/hq-staff/:id/:change', ADMIN, async ({ ctx, params }) => {
    const change = parse(z.enum(['disable', 'enable', 'unlock', 'reset-authenticator']), params['change'])
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

  // An unknown API path answers in the console's shape rather than Fastify's.
  app.all(`${CONSOLE_API}/*`, (_request, reply) => refuse(reply, 'NOT_FOUND'))
}
