import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLIENT_HEADER, startBridge, TOKEN_HEADER, type Bridge } from '../../src/main/bridge/server'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp
let bridge: Bridge
const token = 'test-token-0123456789abcdef'

beforeEach(async () => {
  app = await tempApp()
  const rendererDir = mkdtempSync(join(tmpdir(), 'token-desk-renderer-'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Token Desk</title>')
  bridge = await startBridge({ invoke: app.invoke, rendererDir, token, port: 0 })
})
afterEach(async () => {
  await bridge.close()
  await app.close()
})

const api = (headers: Record<string, string>, body: unknown) =>
  fetch(new URL('/api/invoke', bridge.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('the HTTP bridge', () => {
  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(bridge.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${token}$`))
  })

  it('refuses to listen anywhere but the loopback address', async () => {
    await expect(
      startBridge({ invoke: app.invoke, rendererDir: tmpdir(), token, port: 0, host: '0.0.0.0' }),
    ).rejects.toThrow(/loopback/)
  })

  it('refuses calls without the token or with a wrong one', async () => {
    const body = { channel: 'auth.login', input: { staffId: 'T001', password: 'demo-T001' } }
    expect((await api({ [CLIENT_HEADER]: 'client-0001' }, body)).status).toBe(401)
    expect((await api({ [TOKEN_HEADER]: 'wrong', [CLIENT_HEADER]: 'client-0001' }, body)).status).toBe(401)
    expect(await app.services.db('audit').where({ action: 'auth.login' })).toHaveLength(0)
  })

  it('answers the handler table with the token', async () => {
    const headers = { [TOKEN_HEADER]: token, [CLIENT_HEADER]: 'client-0001' }
    const loginAnswer = await api(headers, {
      channel: 'auth.login',
      input: { staffId: 'T001', password: 'demo-T001' },
    })
    expect(await loginAnswer.json()).toMatchObject({ ok: true, value: { staffId: 'T001' } })
    const lookup = await api(headers, { channel: 'customers.getByCif', input: { cif: '1000001' } })
    expect(await lookup.json()).toMatchObject({ ok: true, value: { cif: '1000001' } })
  })

  it('serves the renderer with the content security policy', async () => {
    const page = await fetch(bridge.url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('Token Desk')
  })

  it('refuses a body over 1 MiB', async () => {
    const headers = { [TOKEN_HEADER]: token, [CLIENT_HEADER]: 'client-0001' }
    const response = await api(headers, {
      channel: 'auth.login',
      input: { staffId: 'T001', password: 'x'.repeat(1_100_000) },
    })
    expect(response.status).toBe(413)
  })
})
