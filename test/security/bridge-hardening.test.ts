import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENT_HEADER, startBridge, TOKEN_HEADER, type Bridge } from '../../src/main/bridge/server'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp
let bridge: Bridge
let port: number
const token = 'test-token-0123456789abcdef'

beforeAll(async () => {
  app = await tempApp()
  const rendererDir = mkdtempSync(join(tmpdir(), 'token-desk-renderer-'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Token Desk</title>')
  bridge = await startBridge({ invoke: app.invoke, rendererDir, token, port: 0 })
  port = Number(new URL(bridge.url).port)
})
afterAll(async () => {
  await bridge.close()
  await app.close()
})

/** A raw request, so that Host and Origin can be set as an attacker's page would have them. */
function raw(
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

const apiHeaders = () => ({
  host: `127.0.0.1:${port}`,
  'content-type': 'application/json',
  [TOKEN_HEADER]: token,
  [CLIENT_HEADER]: 'client-0001',
})

describe('the bridge against crafted channel names', () => {
  it.each([
    ['an object with a poisoned toString', { toString: null }],
    ['an object', { a: 1 }],
    ['an array', ['auth.login']],
    ['a number', 42],
    ['null', null],
    ['a prototype key', '__proto__'],
    ['an inherited name', 'toString'],
    ['a long string', 'x'.repeat(100_000)],
  ])('answers %s with UNKNOWN_CHANNEL, not a 500', async (_label, channel) => {
    const res = await raw('/api/invoke', apiHeaders(), JSON.stringify({ channel, input: {} }))
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'UNKNOWN_CHANNEL' } })
  })

  it('the handler table itself also refuses a poisoned channel without throwing', async () => {
    expect(await app.invoke('x', { toString: null }, {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    })
  })
})

describe('the bridge against oversized and broken bodies', () => {
  it('answers a body over 1 MiB with a typed 413, and broken JSON with a typed 400', async () => {
    const big = JSON.stringify({
      channel: 'auth.login',
      input: { staffId: 'T001', password: 'x'.repeat(1_100_000) },
    })
    const tooBig = await raw('/api/invoke', apiHeaders(), big)
    expect(tooBig.status).toBe(413)
    expect(JSON.parse(tooBig.body)).toMatchObject({ error: { code: 'VALIDATION' } })
    const broken = await raw('/api/invoke', apiHeaders(), '{"channel": ')
    expect(broken.status).toBe(400)
    expect(JSON.parse(broken.body)).toMatchObject({ error: { code: 'VALIDATION' } })
  })
})

describe('the bridge against DNS rebinding', () => {
  const login = JSON.stringify({ channel: 'app.status', input: {} })

  it('answers its own loopback Host and Origin', async () => {
    const res = await raw('/api/invoke', { ...apiHeaders(), origin: `http://127.0.0.1:${port}` }, login)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toMatchObject({ ok: true })
  })

  it.each([
    ['a foreign name resolving here', 'evil.example:PORT'],
    ['the loopback address on another port', '127.0.0.1:1'],
    ['no port', '127.0.0.1'],
    ['the LAN address', '192.168.1.10:PORT'],
  ])('refuses a Host of %s, for the page and the API', async (_label, host) => {
    const h = host.replace('PORT', String(port))
    expect((await raw('/', { host: h })).status).toBe(421)
    expect((await raw('/api/invoke', { ...apiHeaders(), host: h }, login)).status).toBe(421)
  })

  it.each([
    'http://evil.example',
    `http://evil.example:PORT`,
    'null',
    `https://127.0.0.1:PORT`,
    `http://127.0.0.1:1`,
  ])('refuses a foreign Origin %s', async (origin) => {
    const res = await raw(
      '/api/invoke',
      { ...apiHeaders(), origin: origin.replace('PORT', String(port)) },
      login,
    )
    expect(res.status).toBe(403)
    expect(await app.services.db('audit').where({ action: 'auth.login' })).toHaveLength(0)
  })
})
