// The console API's plumbing: who is calling (session, CSRF, role), and answers and refusals in one shape.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Knex } from 'knex'
import { z } from 'zod'
import type { SecretBox } from '../../core/security/secretBox'
import { Hq } from '../hq'
import { HqForbidden, type HqRole } from '../hqActor'
import type { HqContext } from '../hqContext'
import { HqError } from '../hqError'
import { StaffAdminError } from '../staffAdmin'
import { CONSOLE_INPUTS, type EndpointInput } from './inputs'
import {
  clearedCookie,
  CSRF_HEADER,
  csrfMatches,
  findSession,
  readCookie,
  SESSION_COOKIE,
  type HqSession,
} from './sessions'

/** What the console API needs from central. */
export interface ConsoleDeps {
  db: Knex
  secretBox: SecretBox
  now: () => Date
  /** Central serves TLS: the session cookie is then Secure. */
  secure: boolean
}

export const CONSOLE_API = '/console/api'
/** Every console endpoint and who may call it; the authorization test walks this list. */
export const CONSOLE_ENDPOINTS: {
  method: 'GET' | 'POST'
  url: string
  roles: readonly HqRole[] | 'public' | 'session'
  /** Its path parameters, query and body (src/central/console/inputs.ts). */
  input?: EndpointInput
}[] = []

/** An endpoint's declared input; every console endpoint must have one (the fuzzer builds from them). */
export function inputOf(method: 'GET' | 'POST', url: string): EndpointInput {
  const input = (CONSOLE_INPUTS as Record<string, EndpointInput>)[`${method} ${url}`]
  if (!input) throw new Error(`console endpoint ${method} ${url} declares no input in inputs.ts`)
  return input
}

export function listEndpoint(entry: (typeof CONSOLE_ENDPOINTS)[number]) {
  entry.input ??= inputOf(entry.method, entry.url.slice(CONSOLE_API.length))
  const known = CONSOLE_ENDPOINTS.some((e) => e.method === entry.method && e.url === entry.url)
  if (!known) CONSOLE_ENDPOINTS.push(entry)
}

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

export function refuse(reply: FastifyReply, code: string, details?: unknown, message?: string) {
  return reply
    .code(STATUS[code] ?? 422)
    .send({ error: { code, ...(message ? { message } : {}), ...(details ? { details } : {}) } })
}

export class Refusal extends Error {
  constructor(
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(code)
  }
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {})
  if (!result.success) {
    const fields: Record<string, string> = {}
    for (const issue of result.error.issues) fields[issue.path.join('.') || '_'] = 'INVALID'
    throw new Refusal('VALIDATION', { fields })
  }
  return result.data
}

/** A change must come from the console's own page: same Origin when the browser says one, and the CSRF token. */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin
  if (!origin) return true
  try {
    return new URL(origin).host === request.headers.host
  } catch {
    return false
  }
}

export interface Call {
  ctx: HqContext
  hq: Hq
  session: HqSession
  body: unknown
  query: Record<string, string | undefined>
  params: Record<string, string>
}

export type ConsoleHttp = ReturnType<typeof consoleHttp>

export function consoleHttp(app: FastifyInstance, deps: ConsoleDeps) {
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
    const input = inputOf(method, url)
    listEndpoint({ method, url: `${CONSOLE_API}${url}`, roles, input })
    app.route({
      method,
      url: `${CONSOLE_API}${url}`,
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
      handler: (request, reply) =>
        answer(reply, async () => {
          const session = (await guard(request, reply, roles, method === 'POST'))!
          const actor = { kind: 'hq' as const, staffId: session.staffId, role: session.role }
          const hq = new Hq(db, secretBox, now, actor)
          // Path and query are bounded before the endpoint runs (a repeated query key is a list, refused).
          const params = input.params ? parse(input.params, request.params) : {}
          const query = input.query ? parse(input.query, request.query) : {}
          return run({
            ctx: hq.context(),
            hq,
            session,
            body: request.body,
            query: query as Record<string, string | undefined>,
            params: params as Record<string, string>,
          })
        }),
    })
  }

  return { guard, answer, endpoint }
}
