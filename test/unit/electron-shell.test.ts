import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/main/security/csp'
import { APP_PAGE_URL } from '../../src/main/shell/appProtocol'
import {
  isAllowedNavigation,
  isTrustedSender,
  mainWindowOptions,
  rendererUrl,
} from '../../src/main/shell/windowOptions'

const APP_URL = APP_PAGE_URL

describe('the main window follows Electron’s security checklist', () => {
  const prefs = mainWindowOptions('/app/out/preload/index.cjs').webPreferences

  it('isolates the page from Node and sandboxes it', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
  })

  it('keeps web security on and the risky features off', () => {
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.experimentalFeatures).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.navigateOnDragDrop).toBe(false)
  })

  it('loads the CommonJS preload', () => {
    expect(prefs.preload).toMatch(/index\.cjs$/)
  })

  it('has DevTools only when asked (the shell asks where the app is not packaged)', () => {
    expect(prefs.devTools).toBe(false)
    expect(mainWindowOptions('/p/index.cjs', { devTools: true }).webPreferences.devTools).toBe(true)
  })
})

describe('IPC sender check', () => {
  it('answers the app’s own top frame', () => {
    expect(isTrustedSender({ url: APP_URL, isMainFrame: true }, APP_URL)).toBe(true)
    expect(isTrustedSender({ url: `${APP_URL}#/customers`, isMainFrame: true }, APP_URL)).toBe(true)
  })

  it('refuses subframes, files, other hosts of the scheme, other sites and missing frames', () => {
    expect(isTrustedSender({ url: APP_URL, isMainFrame: false }, APP_URL)).toBe(false)
    expect(isTrustedSender({ url: 'file:///tmp/evil.html', isMainFrame: true }, APP_URL)).toBe(false)
    expect(
      isTrustedSender(
        { url: 'file:///C:/Token%20Desk/resources/app.asar/out/renderer/index.html', isMainFrame: true },
        APP_URL,
      ),
    ).toBe(false)
    expect(isTrustedSender({ url: 'app://evil/index.html', isMainFrame: true }, APP_URL)).toBe(false)
    expect(isTrustedSender({ url: 'data:text/html,hi', isMainFrame: true }, APP_URL)).toBe(false)
    expect(isTrustedSender({ url: 'https://example.com/', isMainFrame: true }, APP_URL)).toBe(false)
    expect(isTrustedSender({ url: 'not a url', isMainFrame: true }, APP_URL)).toBe(false)
    expect(isTrustedSender(null, APP_URL)).toBe(false)
  })

  it('in development, answers the dev server’s origin only', () => {
    const dev = 'http://localhost:5173/'
    expect(isTrustedSender({ url: 'http://localhost:5173/#/login', isMainFrame: true }, dev)).toBe(true)
    expect(isTrustedSender({ url: 'http://localhost:5174/', isMainFrame: true }, dev)).toBe(false)
  })

  it('loads the dev server only where the app is not packaged, and only on this machine', () => {
    const dev = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }
    expect(rendererUrl(false, dev)).toBe('http://localhost:5173/')
    expect(rendererUrl(true, dev)).toBe(APP_URL)
    expect(rendererUrl(false, {})).toBe(APP_URL)
    expect(rendererUrl(false, { ELECTRON_RENDERER_URL: 'https://evil.example/' })).toBe(APP_URL)
    expect(rendererUrl(false, { ELECTRON_RENDERER_URL: 'not a url' })).toBe(APP_URL)
  })

  it('blocks navigation away from the app', () => {
    expect(isAllowedNavigation('https://phish.example/', APP_URL)).toBe(false)
    expect(isAllowedNavigation(`${APP_URL}#/login`, APP_URL)).toBe(true)
  })
})

describe('content security policy', () => {
  it('is the same in index.html as in the code', () => {
    const html = readFileSync('src/renderer/index.html', 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
  })

  it('allows only our own scripts and no remote content', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/)
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'")
  })
})

describe('the built preload (npm test builds first)', () => {
  const file = 'out/preload/index.cjs'

  it('exists', () => {
    expect(existsSync(file), 'run `npm run build` before the tests').toBe(true)
  })

  it('is CommonJS, as Electron requires for a sandboxed preload', () => {
    const code = readFileSync(file, 'utf8')
    expect(code).toMatch(/require\("electron"\)/)
    expect(code).not.toMatch(/^\s*import\s/m)
    expect(code).not.toMatch(/^\s*export\s/m)
  })

  it('exposes one invoke function and no raw ipcRenderer', () => {
    const code = readFileSync(file, 'utf8')
    expect(code.match(/exposeInMainWorld/g)).toHaveLength(1)
    expect(code).toContain('invoke:')
    expect(code).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/)
    expect(code).not.toMatch(/\.(send|on|sendSync)\(/)
  })
})
