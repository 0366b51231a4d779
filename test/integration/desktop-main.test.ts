import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/main/app'
import { FakeClock } from '../../src/main/clock'
import { checkIntegrity } from '../../src/main/db/connection'
import { listBackups, PARTIAL_SUFFIX } from '../../src/main/db/backup'
import { createHandlers } from '../../src/main/ipc/handlers'
import { SafeStorageKeyStore } from '../../src/main/shell/safeStorageKeyStore'
import { startCentral } from '../support/central'
import { issueHard, customerIn, login, stockToken } from '../support/counter'
import {
  ElectronStandIn,
  osKeyStore,
  preventable,
  type ElectronModuleStandIn,
  type StandInOptions,
} from '../support/electronStandIn'

/**
 * src/main/index.ts itself, run in Node against a recording stand-in for Electron (typed from Electron's
 * d.ts; see test/support/electronStandIn.ts): start, a failed start, a second start, the page's origin,
 * quitting during a backup, printing, the key store, and sync through net.fetch. Everything behind
 * Electron is real: the database files, the services and, for sync, a central on 127.0.0.1.
 */
const current = vi.hoisted(() => ({ electron: undefined as ElectronModuleStandIn | undefined }))
vi.mock('electron', () => {
  const member = (key: string | symbol) =>
    (current.electron as unknown as Record<string | symbol, unknown>)[key]
  return new Proxy(
    {},
    { get: (_target, key) => member(key), has: (_target, key) => member(key) !== undefined },
  )
})
// electron-log's Electron flavour needs Electron; its Node flavour has the same logger and file transport.
vi.mock('electron-log/main', async () => {
  const { default: log } = await import('electron-log/node')
  const logger = log.create({ logId: `desktop-main-${Math.random()}` })
  logger.transports.console.level = false
  // Catching the test worker's own uncaught errors would hide failures.
  logger.errorHandler.startCatching = () => {}
  return { default: logger }
})

/** A PC's per-user data folder; its name has a `#`, a `%` and Japanese, as an install folder may. */
let appData: string
let dataFolder: string
let running: ElectronStandIn | undefined
const savedEnv = process.env['ELECTRON_RENDERER_URL']

beforeEach(() => {
  appData = join(mkdtempSync(join(tmpdir(), 'token-desk-main-')), '支店 #1 100%')
  mkdirSync(appData)
  dataFolder = join(appData, 'Token Desk')
  delete process.env['ELECTRON_RENDERER_URL']
})

afterEach(async () => {
  if (running && !running.quitted && running.exitCode === undefined) {
    running.app.quit()
    await vi.waitFor(() => expect(running!.quitted).toBe(true), { timeout: 20_000 })
  }
  running = undefined
  if (savedEnv === undefined) delete process.env['ELECTRON_RENDERER_URL']
  else process.env['ELECTRON_RENDERER_URL'] = savedEnv
  rmSync(join(appData, '..'), { recursive: true, force: true })
})

/**
 * Imports index.ts afresh against a new stand-in, and waits until its window shows (or it exits); for a
 * page that does not paint, until the window exists.
 */
async function startMain(options: Partial<StandInOptions> = {}): Promise<ElectronStandIn> {
  const standIn = new ElectronStandIn({ appData, safeStorage: osKeyStore().store, ...options })
  current.electron = standIn.module()
  running = standIn
  vi.resetModules()
  await import('../../src/main/index')
  const started = options.paints === false ? 'new BrowserWindow' : 'window.show'
  await vi.waitFor(
    () =>
      expect(standIn.events.includes(started) || standIn.exitCode !== undefined || standIn.quitted).toBe(
        true,
      ),
    { timeout: 20_000 },
  )
  return standIn
}

/** Waits for the services too (the page's first call does the same). */
async function ready(standIn: ElectronStandIn): Promise<void> {
  expect(await standIn.invoke('app.status', {})).toMatchObject({ ok: true, value: { state: 'ready' } })
}

/** The demo bank in the data folder, its key wrapped by this OS user's key store, as a PC in use has. */
async function seedDemoDesk(os: ReturnType<typeof osKeyStore>, work?: 'unsent'): Promise<void> {
  const clock = new FakeClock('2026-11-25T01:00:00Z')
  mkdirSync(dataFolder, { recursive: true })
  const app = await createApp({
    dbFile: join(dataFolder, 'token-desk.sqlite'),
    keyStore: new SafeStorageKeyStore(os.store, join(dataFolder, 'token-desk.key')),
    clock,
    demo: true,
    startSync: false,
  })
  if (app.state !== 'ready') throw new Error(app.message)
  if (work === 'unsent') {
    const desk = { services: app.services, clock, invoke: createHandlers(app) }
    await login(desk, 'pc', 'T001')
    const cif = await customerIn(desk, 'not_applied')
    expect(
      await issueHard(desk, 'pc', cif, stockToken('totp'), { method: 'cash', tenderedYen: 1100 }),
    ).toMatchObject({
      ok: true,
    })
    expect(
      await desk.invoke('pc', 'auth.changePassword', {
        currentPassword: 'demo-T001',
        newPassword: 'kawari-2026',
      }),
    ).toMatchObject({ ok: true })
  }
  await app.close()
}

describe('start', () => {
  it('pins the data folder before the single-instance lock, shows the window first and serves the page from app://', async () => {
    const electron = await startMain()
    const { events } = electron
    expect(electron.app.paths.get('userData')).toBe(dataFolder)
    expect(events.indexOf('setPath userData')).toBeLessThan(events.indexOf('requestSingleInstanceLock'))
    // Windows only: Electron has the method on Windows alone.
    expect(events.includes('setAppUserModelId jp.tokendesk.branch')).toBe(process.platform === 'win32')
    expect(electron.app.paths.get('crashDumps')).toBe(join(dataFolder, 'crashes'))
    expect(electron.crashReports).toEqual([{ uploadToServer: false }])
    expect(electron.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ])
    expect(events.indexOf('protocol.registerSchemesAsPrivileged')).toBeLessThan(
      events.indexOf('new BrowserWindow'),
    )
    expect(electron.window.loaded).toEqual(['app://token-desk/index.html'])
    expect(electron.window.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true })

    // The page itself, through the app's scheme; nothing outside the renderer's folder.
    const serve = electron.protocols.get('app')!
    const page = await serve(new Request('app://token-desk/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('起動しています')
    for (const sneaky of [
      'app://token-desk/..%2f..%2fpackage.json',
      'app://token-desk/%2e%2e/main/index.ts',
      'app://other/index.html',
    ])
      expect((await serve(new Request(sneaky))).status).toBe(404)

    await ready(electron)
    expect(existsSync(join(dataFolder, 'token-desk.sqlite'))).toBe(true)
    expect(existsSync(join(dataFolder, 'token-desk.key'))).toBe(true)
    // Electron's lock covers one process per user: no lock file with a process id beside the database.
    expect(existsSync(join(dataFolder, 'token-desk.sqlite.lock'))).toBe(false)
  })

  it('a packaged build ignores ELECTRON_RENDERER_URL and has no menu and no DevTools', async () => {
    process.env['ELECTRON_RENDERER_URL'] = 'http://localhost:5173/'
    const packaged = await startMain({ isPackaged: true })
    expect(packaged.window.loaded).toEqual(['app://token-desk/index.html'])
    expect(packaged.applicationMenu).toBeNull()
    expect(packaged.window.options.webPreferences?.devTools).toBe(false)
    await ready(packaged)
    packaged.app.quit()
    await vi.waitFor(() => expect(packaged.quitted).toBe(true))

    const development = await startMain({ isPackaged: false })
    expect(development.window.loaded).toEqual(['http://localhost:5173/'])
    expect(development.applicationMenu).toBe('default')
    expect(development.window.options.webPreferences?.devTools).toBe(true)
  })

  it('a second start quits at once; the first one brings its window forward', async () => {
    const second = await startMain({ firstInstance: false })
    expect(second.quitted).toBe(true)
    expect(second.windows).toHaveLength(0)
    expect(second.ipc.size).toBe(0)
    expect(existsSync(join(dataFolder, 'token-desk.sqlite'))).toBe(false)

    const first = await startMain()
    await ready(first)
    first.window.minimized = true
    first.app.emit('second-instance')
    expect(first.events.slice(-3)).toEqual(['window.restore', 'window.show', 'window.focus'])
  })
})

describe('a start that fails', () => {
  it('before the app is ready (the data folder cannot be made): the dialog and exit code 5, no lock, no window', async () => {
    // A file where the per-user data folder's parent should be: the folder cannot be created.
    rmSync(appData, { recursive: true })
    writeFileSync(appData, '')
    const electron = await startMain()
    expect(electron.exitCode).toBe(5)
    const [box] = electron.errorBoxes
    expect(box!.title).toContain('Token Desk を起動できません')
    expect(box!.content).toMatch(/^データの保存先に書き込めません/)
    expect(box!.content).toContain('終了コード 5')
    expect(electron.events).not.toContain('requestSingleInstanceLock')
    expect(electron.windows).toHaveLength(0)
  })

  it('says why in a dialog (Japanese, then English), logs it and exits with a code: the OS key store', async () => {
    const electron = await startMain({ safeStorage: osKeyStore({ available: false }).store })
    await vi.waitFor(() => expect(electron.exitCode).toBe(4))
    const [box] = electron.errorBoxes
    expect(box!.title).toContain('Token Desk を起動できません')
    expect(box!.content).toMatch(/^Windows のデータ保護機能/)
    expect(box!.content).toContain('終了コード 4')
    expect(box!.content).toContain('The Windows data protection service is not available')
    const log = readFileSync(join(dataFolder, 'logs', 'token-desk.log'), 'utf8')
    expect(log).toMatch(/start failed \(exit code 4\): OsKeyStoreUnavailableError/)
    expect(box!.content).toContain(join(dataFolder, 'logs', 'token-desk.log'))
  })

  it('a page that cannot load: the dialog, the database closed again, exit code 7', async () => {
    const electron = await startMain({
      loadFails: Object.assign(new Error('ERR_FILE_NOT_FOUND (-6)'), { code: 'ERR_FILE_NOT_FOUND' }),
    })
    await vi.waitFor(() => expect(electron.exitCode).toBe(7))
    expect(electron.errorBoxes[0]!.content).toContain('画面のファイルを読み込めませんでした')
    const dbFile = join(dataFolder, 'token-desk.sqlite')
    expect(existsSync(dbFile)).toBe(true)
    // Closed cleanly: SQLite folds the write-ahead log back in when the last connection closes.
    expect(existsSync(`${dbFile}-wal`)).toBe(false)
  })
})

describe('the IPC sender check', () => {
  it('answers the app’s own page whatever folder holds the app, and refuses every other origin', async () => {
    const electron = await startMain()
    await ready(electron)
    for (const url of ['app://token-desk/index.html', 'app://token-desk/index.html#/customers/1000001'])
      expect(await electron.invoke('app.status', {}, { url })).toMatchObject({ ok: true })
    // Installed in D:\ or d:\, in a folder with #, % or Japanese: pages over file:// are no app page
    // (the page is app://token-desk whatever the folder), nor any other origin or a subframe.
    for (const url of [
      'file:///D:/Token%20Desk/resources/app.asar/out/renderer/index.html',
      'file:///d:/Token%20Desk/resources/app.asar/out/renderer/index.html',
      'file:///C:/%E6%94%AF%E5%BA%97%20%231%20100%25/resources/app.asar/out/renderer/index.html',
      'https://evil.example/',
      'http://localhost:5173/',
      'app://evil/index.html',
      'data:text/html,<p>hi</p>',
    ])
      expect(await electron.invoke('app.status', {}, { url })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      })
    expect(
      await electron.invoke('app.status', {}, { url: 'app://token-desk/index.html', mainFrame: false }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })
})

describe('quitting', () => {
  it('waits for a backup in progress, refuses new calls meanwhile, then closes the database', async () => {
    const os = osKeyStore()
    await seedDemoDesk(os)
    const electron = await startMain({ safeStorage: os.store })
    await ready(electron)
    expect(await electron.invoke('auth.login', { staffId: 'S001', password: 'demo-S001' })).toMatchObject({
      ok: true,
    })
    let answered = false
    const backup = electron.invoke('backup.now', {}).then((answer) => {
      answered = true
      electron.record('backup answered')
      return answer
    })
    electron.app.quit()
    // The quit waits: the backup is still running, the app is not gone.
    expect(answered).toBe(false)
    expect(electron.quitted).toBe(false)
    expect(await electron.invoke('app.status', {})).toMatchObject({ ok: false, error: { code: 'CLOSING' } })
    await vi.waitFor(() => expect(electron.quitted).toBe(true), { timeout: 20_000 })
    expect(electron.events.indexOf('backup answered')).toBeLessThan(electron.events.indexOf('quitted'))
    expect(await backup).toMatchObject({ ok: true, value: { last: { kind: 'manual' } } })
    const folder = join(dataFolder, 'backups')
    const [taken] = listBackups(folder)
    expect(taken!.kind).toBe('manual')
    await checkIntegrity(taken!.file)
    expect(readdirSync(folder).filter((name) => name.endsWith(PARTIAL_SUFFIX))).toEqual([])
    expect(existsSync(join(dataFolder, 'token-desk.sqlite-wal'))).toBe(false)
  })

  it('Windows asking to end the session (shutdown, restart, sign-out) is held back until a backup in progress is done', async () => {
    const os = osKeyStore()
    await seedDemoDesk(os)
    const electron = await startMain({ safeStorage: os.store })
    await ready(electron)
    expect(await electron.invoke('auth.login', { staffId: 'S001', password: 'demo-S001' })).toMatchObject({
      ok: true,
    })
    const backup = electron.invoke('backup.now', {}).then((answer) => {
      electron.record('backup answered')
      return answer
    })
    // Once session-end fires Windows ends the process whatever the app does: the asking is the moment.
    const asked = Object.assign(preventable(), { reasons: ['shutdown'] })
    electron.window.emit('query-session-end', asked)
    expect(asked.defaultPrevented).toBe(true)
    expect(electron.quitted).toBe(false)
    await vi.waitFor(() => expect(electron.quitted).toBe(true), { timeout: 20_000 })
    expect(electron.events.indexOf('backup answered')).toBeLessThan(electron.events.indexOf('quitted'))
    expect(await backup).toMatchObject({ ok: true, value: { last: { kind: 'manual' } } })
    expect(existsSync(join(dataFolder, 'token-desk.sqlite-wal'))).toBe(false)
  })

  it('the end of the Windows session closes the same way', async () => {
    const electron = await startMain()
    await ready(electron)
    electron.window.emit('session-end')
    await vi.waitFor(() => expect(electron.quitted).toBe(true))
    expect(existsSync(join(dataFolder, 'token-desk.sqlite-wal'))).toBe(false)
  })
})

describe('printing through the window', () => {
  it('a print the person cancels in the system dialog is not an error; a printer’s failure is', async () => {
    const os = osKeyStore()
    await seedDemoDesk(os)
    const electron = await startMain({
      safeStorage: os.store,
      printResult: { success: false, failureReason: 'Print job canceled' },
    })
    await ready(electron)
    expect(await electron.invoke('auth.login', { staffId: 'T001', password: 'demo-T001' })).toMatchObject({
      ok: true,
    })
    expect(await electron.invoke('print.paper', { layout: 'receipt80' })).toEqual({ ok: true, value: {} })
    expect(electron.window.webContents.printed[0]).toMatchObject({
      silent: false,
      pageSize: { width: 80_000, height: 200_000 },
      margins: { marginType: 'none' },
    })
    electron.options.printResult = { success: false, failureReason: 'Printer is out of paper' }
    expect(await electron.invoke('print.paper', { layout: 'a4' })).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    })
    // PDFs go to the data folder unless 端末設定 names another.
    const saved = await electron.invoke('print.pdf', { layout: 'a4', name: '領収書-001' })
    expect(saved).toMatchObject({
      ok: true,
      value: { path: expect.stringContaining(join(dataFolder, 'pdf')) },
    })
  })

  it('a receipt printer set to its own paper size gets no page size', async () => {
    const os = osKeyStore()
    await seedDemoDesk(os)
    const electron = await startMain({ safeStorage: os.store })
    await ready(electron)
    expect(await electron.invoke('auth.login', { staffId: 'A001', password: 'demo-A001' })).toMatchObject({
      ok: true,
    })
    expect(
      await electron.invoke('settings.updateWorkstation', {
        receiptLayout: 'receipt80',
        printerName: 'EPSON TM-T88VII',
        lowStockThreshold: 10,
        receiptPageSize: 'printer',
      }),
    ).toMatchObject({ ok: true, value: { receiptPageSize: 'printer', receiptLayout: 'receipt80' } })
    expect(await electron.invoke('print.paper', { layout: 'receipt80' })).toEqual({ ok: true, value: {} })
    const [printed] = electron.window.webContents.printed
    expect(printed).toMatchObject({
      silent: true,
      deviceName: 'EPSON TM-T88VII',
      usePrinterDefaultPageSize: true,
    })
    expect(printed).not.toHaveProperty('pageSize')
  })
})

describe('the page process', () => {
  it('gone before its first paint: the window shows and the page reloads once; gone again: the error page', async () => {
    const electron = await startMain({ paints: false })
    const { window } = electron
    expect(window.visible).toBe(false)
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: -1 })
    expect(window.visible).toBe(true)
    expect(electron.events).toContain('webContents.reload')
    window.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: -1 })
    const errorPage = decodeURIComponent(window.loaded.at(-1)!.replace(/^data:text\/html;charset=utf-8,/, ''))
    expect(errorPage).toContain('画面が続けて停止しました')
    expect(errorPage).toContain(join(dataFolder, 'logs', 'token-desk.log'))
    expect(errorPage).not.toContain('<script')
    // A window closing ends its page cleanly: nothing to do.
    const loads = window.loaded.length
    window.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 })
    expect(window.loaded).toHaveLength(loads)
  })

  it('a page that never paints is shown anyway after a while', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true })
    try {
      const electron = await startMain({ paints: false })
      expect(electron.window.visible).toBe(false)
      vi.advanceTimersByTime(10_000)
      expect(electron.window.visible).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('network', () => {
  it('sync reaches central through Electron’s net.fetch (Chromium: the Windows certificate store and proxy)', async () => {
    const central = await startCentral('sqlite')
    try {
      const electron = await startMain()
      await ready(electron)
      const enrollmentCode = await central.enrollmentCode('001')
      expect(
        await electron.invoke('setup.enroll', {
          centralUrl: central.url,
          branchCode: '001',
          enrollmentCode,
          workstationName: '窓口1',
        }),
      ).toMatchObject({ ok: true })
      await vi.waitFor(
        async () =>
          expect(await electron.invoke('setup.progress', {})).toMatchObject({
            ok: true,
            value: { phase: 'done' },
          }),
        { timeout: 30_000 },
      )
      expect(electron.netFetched).toContain(`${central.url}/v1/enroll`)
      expect(electron.netFetched).toContain(`${central.url}/v1/sync/pull`)
      electron.app.quit()
      await vi.waitFor(() => expect(electron.quitted).toBe(true), { timeout: 20_000 })
    } finally {
      await central.close()
    }
  })
})

describe('a data key that cannot be unwrapped', () => {
  it('opens the recovery screen: unsent work to a file first, then the PC starts anew on an empty database', async () => {
    await seedDemoDesk(osKeyStore(), 'unsent')
    // Another Windows user (or the same after an administrator reset the password): DPAPI cannot unwrap.
    const electron = await startMain({ safeStorage: osKeyStore().store })
    expect(await electron.invoke('app.status', {})).toMatchObject({ ok: true, value: { state: 'keyLost' } })
    expect(await electron.invoke('auth.login', { staffId: 'T001', password: 'demo-T001' })).toMatchObject({
      ok: false,
      error: { code: 'KEY_LOST' },
    })
    const status = await electron.invoke('keyRecovery.status', {})
    expect(status).toMatchObject({
      ok: true,
      value: { reason: 'unreadable', credentialChanges: 1, branchCode: '001', exportFile: null },
    })
    const unsent = (status as { value: { unsent: number } }).value.unsent
    expect(unsent).toBeGreaterThan(1)
    expect(await electron.invoke('keyRecovery.reenrol', {})).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
    expect(existsSync(join(dataFolder, 'token-desk.sqlite'))).toBe(true)

    const exported = await electron.invoke('keyRecovery.export', {})
    expect(exported).toMatchObject({ ok: true, value: { rows: unsent } })
    const file = (exported as { value: { path: string } }).value.path
    expect(file.startsWith(join(dataFolder, 'exports'))).toBe(true)
    const content = readFileSync(file, 'utf8')
    expect(JSON.parse(content).mutations).toHaveLength(unsent)
    expect(content).not.toContain('kawari-2026')

    const reenrolled = await electron.invoke('keyRecovery.reenrol', {})
    expect(reenrolled).toMatchObject({ ok: true })
    const retired = (reenrolled as { value: { retiredFolder: string } }).value.retiredFolder
    expect(readdirSync(retired).sort()).toEqual(['token-desk.key', 'token-desk.sqlite'])
    // The same window now talks to a new, empty database: 端末の初期設定.
    expect(await electron.invoke('app.status', {})).toMatchObject({
      ok: true,
      value: { state: 'ready', needsSetup: true },
    })
    expect(existsSync(join(dataFolder, 'token-desk.key'))).toBe(true)
  })
})
