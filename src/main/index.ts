import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  crashReporter,
  dialog,
  ipcMain,
  Menu,
  net,
  protocol,
  safeStorage,
  session,
  shell,
} from 'electron'
import log from 'electron-log/main'
import { channels } from '../shared/contract'
import { IPC_PREFIX } from '../shared/ipcChannel'
import { err } from '../shared/result'
import { AppHost } from './appHost'
import { describeFailure } from './ipc/handlers'
import { startDesktopLog } from './logging/desktopLog'
import type { ElectronLogLike } from './logging/fileLog'
import { electronPrintPort } from './printing/electronPort'
// The shell's own logic lives in Electron-free modules, tested in plain Node; this file is tested
// against a recording stand-in for Electron (test/integration/desktop-main.test.ts).
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveRendererFile } from './shell/appProtocol'
import { chromiumFetch } from './shell/chromiumFetch'
import { APP_USER_MODEL_ID, desktopDataFolder, desktopPaths, type DesktopPaths } from './shell/desktopPaths'
import { permissionAllowed, windowOpenDecision } from './shell/externalLinks'
import { crashPageUrl, RendererCrashPolicy, SHOW_FALLBACK_MS } from './shell/rendererCrash'
import { SafeStorageKeyStore } from './shell/safeStorageKeyStore'
import { describeStartFailure, ScreenLoadError } from './shell/startFailure'
import { isAllowedNavigation, isTrustedSender, mainWindowOptions, rendererUrl } from './shell/windowOptions'

/**
 * Before the app is ready, before anything else touches it: the data folder (%LOCALAPPDATA%\Token Desk),
 * which also holds the single-instance lock, so every start of this Windows user agrees on it whatever
 * the app is named. Electron's setPath refuses a folder that does not exist (a new PC's first start), so
 * the folders are made first. A failure here is said and ends the process like a failed start: Electron
 * would otherwise show its English stack trace and keep a process without a window.
 */
function prepare(): DesktopPaths | null {
  try {
    const paths = desktopPaths(
      desktopDataFolder(process.platform, process.env, app.getPath('appData')),
      process.platform,
    )
    for (const folder of [paths.dataFolder, paths.crashDumps]) mkdirSync(folder, { recursive: true })
    app.setPath('userData', paths.dataFolder)
    app.setPath('crashDumps', paths.crashDumps)
    // Windows only (the method exists only there): the taskbar and notifications group under the
    // installer's shortcuts, which carry the same ID.
    if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID)
    // Crash dumps stay on this PC (they may hold customers' data); support collects them from the folder.
    crashReporter.start({ uploadToServer: false })
    protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])
    app.enableSandbox()
    return paths
  } catch (e) {
    // No log file yet: stderr, and the dialog (callable before ready) says the cause and the exit code.
    const failure = describeStartFailure(e, null)
    console.error(`[token-desk] start failed (exit code ${failure.exitCode}): ${describeFailure(e)}`)
    dialog.showErrorBox(failure.title, failure.message)
    app.exit(failure.exitCode)
    return null
  }
}

let mainWindow: BrowserWindow | undefined
/** The services, once opening has begun (IPC calls wait for it). */
let opening: Promise<AppHost> | undefined
let logFile: string | null = null
let closing: Promise<void> | undefined
let closed = false

/** The window first (its page says 起動しています… at once), the services beside it; then both ready. */
async function start(paths: DesktopPaths): Promise<void> {
  const { path, logFailure } = startDesktopLog(log as unknown as ElectronLogLike, paths.logDirectory, {
    version: app.getVersion(),
    electron: process.versions.electron,
  })
  logFile = path
  // Uncaught errors reach the log file too; a failed start has its own dialog (failStart).
  log.errorHandler.startCatching({ showDialog: false })
  // No menu in a packaged build: no DevTools, reload or zoom through its accelerators.
  if (app.isPackaged) Menu.setApplicationMenu(null)
  protocol.handle(APP_SCHEME, (request) => serveRendererFile(request, join(__dirname, '../renderer')))
  // Deny every permission (camera, notifications, …): the app needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionAllowed(permission)),
  )
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission))

  const appUrl = rendererUrl(app.isPackaged, process.env)
  opening = AppHost.open(
    () => ({
      dbFile: paths.dbFile,
      keyStore: new SafeStorageKeyStore(safeStorage, paths.keyFile),
      centralUrl: process.env['TOKEN_DESK_CENTRAL_URL'],
      shell: { kind: 'desktop', runtime: `Electron ${process.versions.electron}` },
      logDirectory: paths.logDirectory,
      printPort: electronPrintPort(() => mainWindow?.webContents),
      pdfDirectory: paths.pdfDirectory,
      dailyBackups: true,
      fetch: chromiumFetch(net.fetch),
    }),
    logFailure,
  )
  bindChannels(appUrl, opening)
  const window = createWindow(appUrl)
  await Promise.all([
    opening,
    window.loadURL(appUrl).catch((e: unknown) => {
      throw new ScreenLoadError({ cause: e })
    }),
  ])
  log.info('Token Desk is ready')
}

/** Every contract channel, answered only for the app's own top frame, once the services are open. */
function bindChannels(appUrl: string, host: Promise<AppHost>): void {
  for (const name of Object.keys(channels)) {
    ipcMain.handle(IPC_PREFIX + name, async (event, input) => {
      const frame = event.senderFrame
      if (
        !isTrustedSender(frame && { url: frame.url, isMainFrame: frame === event.sender.mainFrame }, appUrl)
      ) {
        return err('FORBIDDEN', 'IPC from an untrusted frame')
      }
      if (closing) return err('CLOSING', 'Token Desk is closing')
      return (await host).invoke(`window:${event.sender.id}`, name, input)
    })
  }
}

function createWindow(appUrl: string): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions(join(__dirname, '../preload/index.cjs'), { devTools: !app.isPackaged }),
  )
  mainWindow = window
  const contents = window.webContents
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    // Nothing opens inside the app; only allow-listed outside pages go to the user's browser.
    const decision = windowOpenDecision(url)
    if (decision.openExternally) void shell.openExternal(url)
    return { action: decision.action }
  })
  // A page process that dies is reloaded once; dying again soon after shows the error page.
  const crashes = new RendererCrashPolicy()
  contents.on('render-process-gone', (_event, details) => {
    log.error(`the window's page process is gone: ${details.reason} (exit code ${details.exitCode})`)
    const action = crashes.decide(details.reason, Date.now())
    if (action === 'reload') contents.reload()
    if (action === 'errorPage') void window.loadURL(crashPageUrl(logFile))
    if (action !== 'nothing' && !window.isVisible()) window.show()
  })
  window.on('unresponsive', () => log.warn('the window stopped responding'))
  window.on('responsive', () => log.info('the window responds again'))
  // Windows asks before it shuts down, restarts or signs out (or an installer asks the app to close):
  // held back until the services are closed (a backup finishing), then the app quits and Windows goes
  // on. The end itself (session-end) cannot be delayed (Electron's d.ts): it only starts closing.
  window.on('query-session-end', (event) => {
    if (closed) return
    event.preventDefault()
    void closeAndQuit('Windows asks to end the session')
  })
  window.on('session-end', () => void closeAndQuit('the Windows session is ending'))
  window.once('ready-to-show', () => window.show())
  // A page that never paints (stuck loading, or gone before its first paint) must not leave the window hidden.
  const fallback = setTimeout(() => {
    if (window.isDestroyed() || window.isVisible()) return
    log.warn('the page did not paint in time; showing the window anyway')
    window.show()
  }, SHOW_FALLBACK_MS)
  window.once('show', () => clearTimeout(fallback))
  return window
}

/** Closes the services once (calls finished, sync stopped, backup done, database closed), then quits. */
function closeAndQuit(why: string): Promise<void> {
  closing ??= (async () => {
    log.info(`closing: ${why}`)
    try {
      const host = await opening?.catch(() => undefined)
      await host?.close()
    } catch (e) {
      log.error(`closing failed: ${describeFailure(e)}`)
    }
    closed = true
    app.quit()
  })()
  return closing
}

/** A start that failed: said in a dialog (Japanese, then English), logged, and the app exits with a code. */
async function failStart(error: unknown): Promise<void> {
  const failure = describeStartFailure(error, logFile)
  try {
    const cause =
      error instanceof Error && error.cause !== undefined ? `; cause ${describeFailure(error.cause)}` : ''
    log.error(`start failed (exit code ${failure.exitCode}): ${describeFailure(error)}${cause}`)
    dialog.showErrorBox(failure.title, failure.message)
    const host = await opening?.catch(() => undefined)
    await host?.close()
  } finally {
    app.exit(failure.exitCode)
  }
}

// Null: the start failed before the app was ready, was said, and the process is exiting.
const paths = prepare()
// One instance per Windows user: a second start focuses the open window instead.
if (paths && !app.requestSingleInstanceLock()) {
  app.quit()
} else if (paths) {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.show()
    mainWindow.focus()
  })
  // Quitting waits for the services to close (before-quit is not awaited by Electron: quit again after).
  app.on('before-quit', (event) => {
    if (closed) return
    event.preventDefault()
    void closeAndQuit('quit')
  })
  app.on('window-all-closed', () => app.quit())
  app.on('child-process-gone', (_event, details) =>
    log.warn(`a ${details.type} process is gone: ${details.reason} (exit code ${details.exitCode})`),
  )
  app
    .whenReady()
    .then(() => start(paths))
    .catch((e: unknown) => failStart(e))
}
