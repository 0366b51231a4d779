import { timingSafeEqual } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import { isChannelName } from '../../shared/contract'
import type { Invoke } from '../ipc/handlers'
import { CONTENT_SECURITY_POLICY } from '../security/csp'

export const TOKEN_HEADER = 'x-token-desk-token'
export const CLIENT_HEADER = 'x-token-desk-client'

export interface BridgeOptions {
  invoke: Invoke
  /** The built renderer (out/renderer). */
  rendererDir: string
  token: string
  port: number
  host?: string
}

export interface Bridge {
  url: string
  server: FastifyInstance
  close(): Promise<void>
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * DNS rebinding: a page on a foreign site whose name is made to resolve to 127.0.0.1 reaches this port
 * with its own name in `Host` and its own origin in `Origin`. Only the loopback names with our port are
 * accepted in `Host`; `Origin`, when a browser sends one, must be one of those same addresses.
 */
export function loopbackAuthorities(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
}

export function isLoopbackHost(host: unknown, port: number): boolean {
  return typeof host === 'string' && loopbackAuthorities(port).has(host.toLowerCase())
}

export function isOwnOrigin(origin: unknown, port: number): boolean {
  if (origin === undefined) return true
  if (typeof origin !== 'string') return false
  try {
    const url = new URL(origin)
    return url.protocol === 'http:' && url.origin === origin && isLoopbackHost(url.host, port)
  } catch {
    return false
  }
}

/**
 * Browser mode: the same handler table over HTTP on the loopback address. Every API call must carry the
 * per-launch token; the page gets it once, from the URL the launcher prints.
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const host = options.host ?? '127.0.0.1'
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    throw new Error('the bridge listens on the loopback address only')
  }
  // forceCloseConnections: a tab left open must not keep the process alive on shutdown.
  const server = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true })

  server.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
    reply.header('Cache-Control', 'no-store')
    return payload
  })

  // Parser refusals (a body over 1 MiB, broken JSON) answer in the same typed shape as everything else.
  server.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    const message =
      status === 413
        ? 'the request body is over 1 MiB'
        : status < 500
          ? 'the request is not valid'
          : 'internal error'
    return reply.code(status).send({ error: { code: status < 500 ? 'VALIDATION' : 'INTERNAL', message } })
  })

  // The port is known once listening; until then nothing is answered.
  let listeningPort = -1
  server.addHook('onRequest', async (req, reply) => {
    if (!isLoopbackHost(req.headers.host, listeningPort)) {
      return reply
        .code(421)
        .send({ error: { code: 'FORBIDDEN', message: 'the Host is not this loopback address and port' } })
    }
    if (!isOwnOrigin(req.headers.origin, listeningPort)) {
      return reply.code(403).send({ error: { code: 'FORBIDDEN', message: 'foreign Origin' } })
    }
  })

  await server.register(fastifyStatic, { root: options.rendererDir, index: 'index.html' })

  server.post('/api/invoke', async (req, reply) => {
    if (!sameSecret(req.headers[TOKEN_HEADER], options.token)) {
      return reply
        .code(401)
        .send({ error: { code: 'UNAUTHENTICATED', message: 'missing or wrong bridge token' } })
    }
    const client = req.headers[CLIENT_HEADER]
    if (typeof client !== 'string' || !/^[A-Za-z0-9-]{8,64}$/.test(client)) {
      return reply
        .code(400)
        .send({ error: { code: 'VALIDATION', message: `missing ${CLIENT_HEADER} header` } })
    }
    const body = req.body as { channel?: unknown; input?: unknown } | null
    if (!body || typeof body !== 'object') {
      return reply.code(400).send({ error: { code: 'VALIDATION', message: 'body must be {channel, input}' } })
    }
    // Checked before any use: a crafted object ({"toString": null}) must never reach string handling.
    if (!isChannelName(body.channel)) {
      return reply.code(400).send({ error: { code: 'UNKNOWN_CHANNEL', message: 'unknown channel' } })
    }
    return options.invoke(`browser:${client}`, body.channel, body.input)
  })

  const address = await server.listen({ host, port: options.port })
  const port = new URL(address).port
  listeningPort = Number(port)
  return {
    url: `http://${host === '::1' ? '[::1]' : host}:${port}/?token=${options.token}`,
    server,
    close: () => server.close(),
  }
}
