import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { z } from 'zod'
import type { SecretBox } from '../core/security/secretBox'
import { debitRequest, enrollRequest, MAX_BODY_BYTES, pullRequest, pushRequest } from '../shared/syncProtocol'
import { DemoCoreBanking, type CoreBanking } from './coreBanking'
import { authenticate, debit, enroll, HttpError, pull, push } from './sync'
import { auditAlertLogFields } from './auditAlerts'
import { registerConsoleApi } from './console/routes'
import { CredentialCache } from './credentialCache'
import { DEFAULT_CONSOLE_DIR, registerConsolePages } from './console/static'

export interface CentralOptions {
  db: Knex
  secretBox: SecretBox
  now?: () => Date
  /** A pino logger (structured logs); none in tests. */
  loggerInstance?: FastifyBaseLogger
  https?: { cert: Buffer; key: Buffer }
  /** The built HQ console (default out/console); served at /console on the same port. */
  consoleDir?: string
  /** The bank's account system for 口座振替; the demo ledger when none is given. */
  coreBanking?: CoreBanking
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body)
  if (!result.success)
    throw new HttpError(
      400,
      'MALFORMED',
      result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    )
  return result.data
}

/** The central service: enrolment, push, pull and health, answering errors as {error: {code, message}}. */
export function buildCentral(options: CentralOptions): FastifyInstance {
  const now = options.now ?? (() => new Date())
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: false }),
    bodyLimit: MAX_BODY_BYTES,
    ...(options.https ? { https: options.https } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance
  const { db } = options
  // Push and pull re-check the PC's row in their transaction, so they may skip the separate read.
  const credentials = new CredentialCache()

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError)
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } })
    if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: { code: 'TOO_LARGE', message: 'the body is over 1 MiB' } })
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(400).send({ error: { code: 'MALFORMED', message: error.message } })
    }
    // Kind and code only: a database error's message quotes the statement with its values.
    request.log.error({ kind: error.name, code: error.code, url: request.url }, 'request failed')
    return reply.code(503).send({
      error: { code: 'TRY_LATER', message: 'central could not complete the request; try again later' },
    })
  })

  // Unknown paths answer in the same typed shape as every other error.
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } }),
  )

  // Graceful shutdown: stop taking requests, let the push in flight finish (its transaction commits and
  // its answer goes out), and tell that client to drop the connection so the server can close.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close')
    return payload
  })

  app.get('/health', async () => {
    await db.raw('select 1')
    return { ok: true }
  })

  app.post('/v1/enroll', async (request) => enroll(db, parse(enrollRequest, request.body), now()))

  app.post('/v1/sync/push', async (request) => {
    const client = await authenticate(db, request.headers.authorization, credentials)
    const body = parse(pushRequest, request.body)
    if (body.clientId !== client.client_id)
      throw new HttpError(403, 'WRONG_CLIENT', 'the body names another client')
    return push(db, client, body, now(), options.secretBox, {
      auditAlert: (alert) =>
        request.log.warn(
          auditAlertLogFields(alert),
          'branch audit log cut short or rewritten since its anchor',
        ),
    })
  })

  app.post('/v1/sync/pull', async (request) => {
    const client = await authenticate(db, request.headers.authorization, credentials)
    const body = parse(pullRequest, request.body)
    if (body.clientId !== client.client_id)
      throw new HttpError(403, 'WRONG_CLIENT', 'the body names another client')
    return pull(db, client, body.cookie, options.secretBox, now())
  })

  const coreBanking = options.coreBanking ?? new DemoCoreBanking()
  app.post('/v1/debit', async (request) => {
    const client = await authenticate(db, request.headers.authorization)
    const body = parse(debitRequest, request.body)
    if (body.clientId !== client.client_id)
      throw new HttpError(403, 'WRONG_CLIENT', 'the body names another client')
    return debit(db, client, body, coreBanking, now())
  })

  // The HQ console (issue 9): its pages and its cookie-session API, beside the sync routes above.
  registerConsoleApi(app, { db, secretBox: options.secretBox, now, secure: Boolean(options.https) })
  void app.register(async (scope) => registerConsolePages(scope, options.consoleDir ?? DEFAULT_CONSOLE_DIR))

  return app
}
