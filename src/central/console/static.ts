import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

/**
 * The console's Content-Security-Policy, the same as the branch renderer's: only central's own scripts,
 * styles, fonts and images (data: for the enrolment QR code). src/console/index.html carries it too.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Where `npm run build` puts the console (vite.console.config.ts). */
export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '../../../out/console')

/**
 * Serves the built console at /console with the renderer's strict CSP, no framing and no referrer. The
 * API under /console/api is registered separately. Without a build, /console says how to make one.
 */
export async function registerConsolePages(app: FastifyInstance, dir: string): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url === '/console' || request.url.startsWith('/console/')) {
      reply.header('content-security-policy', CONSOLE_CSP)
      reply.header('x-frame-options', 'DENY')
      reply.header('referrer-policy', 'no-referrer')
      reply.header('x-content-type-options', 'nosniff')
      reply.header('cache-control', 'no-store')
    }
    return payload
  })
  app.get('/console', (_request, reply) => reply.redirect('/console/'))
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/console/*', (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          '本部コンソールがビルドされていません。npm run build を実行してから central を起動し直してください。\n' +
            'The HQ console is not built. Run `npm run build` and start central again.\n',
        ),
    )
    return
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/console/',
    index: 'index.html',
    decorateReply: false,
  })
}
