import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, win32 } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { rendererFile, serveRendererFile } from '../../src/main/shell/appProtocol'
import { chromiumFetch } from '../../src/main/shell/chromiumFetch'

/** IT chooses the install folder: drive letters either way round, `#`, `%` and Japanese in its name. */
const WINDOWS_ROOTS = [
  'D:\\Program Files\\Token Desk #1 %41 窓口\\resources\\app.asar\\out\\renderer',
  'd:\\program files\\token desk #1 %41 窓口\\resources\\app.asar\\out\\renderer',
  'C:\\Program Files\\Token Desk\\resources\\app.asar\\out\\renderer',
]

describe('app://token-desk serves the renderer folder and nothing else', () => {
  it.each(WINDOWS_ROOTS)('finds the page and its assets under %s', (root) => {
    expect(rendererFile('app://token-desk/index.html', root, win32)).toBe(`${root}\\index.html`)
    expect(rendererFile('app://token-desk/', root, win32)).toBe(`${root}\\index.html`)
    expect(rendererFile('app://token-desk/assets/index-B07_KfAa.js', root, win32)).toBe(
      `${root}\\assets\\index-B07_KfAa.js`,
    )
    expect(rendererFile('app://token-desk/assets/%E7%AA%93%E5%8F%A3.css', root, win32)).toBe(
      `${root}\\assets\\窓口.css`,
    )
  })

  it.each(WINDOWS_ROOTS)('refuses what would leave %s', (root) => {
    for (const url of [
      'app://token-desk/..%5c..%5cpackage.json',
      'app://token-desk/assets/..%5c..%5c..%5capp.asar.unpacked%5cnode_modules%5csqlite3%5cx.node',
      'app://token-desk/%2e%2e%2f%2e%2e%2fpackage.json',
      'app://token-desk/..%2f..%2fpackage.json',
      'app://token-desk/C:%5cWindows%5cwin.ini',
      'app://token-desk/index.html%00.png',
      'app://token-desk/%E0%A4%A',
      'app://other-host/index.html',
      'file:///C:/Windows/win.ini',
      'not a url',
    ])
      expect(rendererFile(url, root, win32), url).toBeNull()
  })

  describe('answering requests from a real folder', () => {
    let root: string
    beforeEach(() => {
      root = join(mkdtempSync(join(tmpdir(), 'token-desk-protocol-')), '支店 #1 100%', 'renderer')
      mkdirSync(join(root, 'assets'), { recursive: true })
      writeFileSync(join(root, 'index.html'), '<!doctype html><p>起動しています…</p>')
      writeFileSync(join(root, 'assets', 'main.js'), 'export {}')
      writeFileSync(join(root, '..', 'secret.txt'), 'not for the page')
    })
    afterEach(() => rmSync(join(root, '..', '..'), { recursive: true, force: true }))

    it('serves files with their type and the CSP; refuses other methods, missing files and escapes', async () => {
      const page = await serveRendererFile(new Request('app://token-desk/index.html'), root)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('起動しています')
      expect(page.headers.get('x-content-type-options')).toBe('nosniff')
      const script = await serveRendererFile(new Request('app://token-desk/assets/main.js'), root)
      // ES modules load only with a JavaScript type.
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(
        (await serveRendererFile(new Request('app://token-desk/index.html', { method: 'POST' }), root))
          .status,
      ).toBe(405)
      expect((await serveRendererFile(new Request('app://token-desk/missing.js'), root)).status).toBe(404)
      expect((await serveRendererFile(new Request('app://token-desk/assets'), root)).status).toBe(404)
      expect((await serveRendererFile(new Request('app://token-desk/..%2fsecret.txt'), root)).status).toBe(
        404,
      )
    })
  })
})

describe('central over Chromium’s network stack', () => {
  it('hands net.fetch a string URL and the request as it is', async () => {
    const seen: [string, RequestInit | undefined][] = []
    const fetchCentral = chromiumFetch(async (input, init) => {
      seen.push([String(input), init])
      return new Response('{}')
    })
    await fetchCentral(new URL('https://central.bank.example/v1/sync/pull'), { method: 'POST', body: '{}' })
    expect(seen).toEqual([['https://central.bank.example/v1/sync/pull', { method: 'POST', body: '{}' }]])
  })

  it('words Chromium’s "never connected" errors as the sync client reads them; others pass unchanged', async () => {
    const failing = (message: string) =>
      chromiumFetch(async () => {
        throw new Error(message)
      })
    for (const [chromium, node] of [
      ['net::ERR_CONNECTION_REFUSED', 'ECONNREFUSED'],
      ['net::ERR_NAME_NOT_RESOLVED', 'ENOTFOUND'],
      ['net::ERR_INTERNET_DISCONNECTED', 'ENETUNREACH'],
      ['net::ERR_PROXY_CONNECTION_FAILED', 'ECONNREFUSED'],
    ])
      await expect(failing(chromium!)('https://central.bank.example/v1/sync/push')).rejects.toMatchObject({
        cause: { code: node },
      })
    // A reset or a timeout may come after the request was sent: it must not look "never sent".
    const reset = failing('net::ERR_CONNECTION_RESET')('https://central.bank.example/v1/sync/push')
    await expect(reset).rejects.toThrow('net::ERR_CONNECTION_RESET')
    await expect(reset).rejects.not.toHaveProperty('cause.code')
  })
})
