import type { FastifyInstance } from 'fastify'
import QRCode from 'qrcode'
import { authenticator } from 'otplib'
import { checkHqSignIn, confirmHqTotp } from '../hqStaff'
import {
  CONSOLE_API,
  listEndpoint,
  parse,
  Refusal,
  sameOrigin,
  type ConsoleDeps,
  type ConsoleHttp,
} from './http'
import { CONSOLE_INPUTS } from './inputs'
import {
  clearedCookie,
  createSession,
  endSession,
  finishEnrolment,
  sessionCookie,
  type HqSession,
} from './sessions'

const me = (s: HqSession) => ({ staffId: s.staffId, name: s.name, role: s.role })

/** Sign-in (password and authenticator code, or enrolling one), the session, and logout. */
export function registerSignIn(app: FastifyInstance, deps: ConsoleDeps, http: ConsoleHttp): void {
  const { db, secretBox, now } = deps
  const { guard, answer } = http
  listEndpoint({ method: 'POST', url: `${CONSOLE_API}/login`, roles: 'public' })
  app.post(`${CONSOLE_API}/login`, (request, reply) =>
    answer(reply, async () => {
      const input = parse(CONSOLE_INPUTS['POST /login'].body, request.body)
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
      const { code } = parse(CONSOLE_INPUTS['POST /login/totp'].body, request.body)
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
}
