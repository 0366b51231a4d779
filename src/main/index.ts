import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, safeStorage, session, shell } from 'electron'
import { channels } from '../shared/contract'
import { err } from '../shared/result'
import { createApp } from './app'
import { createHandlers } from './ipc/handlers'
import { IPC_PREFIX } from '../shared/ipcChannel'
import { permissionAllowed, windowOpenDecision } from './shell/externalLinks'
import { lockDatabase } from './shell/instanceLock'
import { isAllowedNavigation, isTrustedSender, mainWindowOptions } from './shell/windowOptions'
// Issue 12b: rotating log files and printing through the main window (plain-Node modules, tested there).
import log from 'electron-log/main'
import type { ElectronLogLike } from './logging/fileLog'
import { electronPrintPort } from './printing/electronPort'
// The shell's own logic lives in Electron-free modules, tested in plain Node (test/unit/desktop-shell.test.ts).
import { startDesktopLog } from './logging/desktopLog'
import { desktopPaths } from './shell/desktopPaths'
import { SafeStorageKeyStore } from './shell/safeStorageKeyStore'

let mainWindow: BrowserWindow | undefined

async function start(): Promise<void> {
  // Logs in <userData>/logs, PDFs in Documents/Token Desk, printing from the main window.
  const paths = desktopPaths(app.getPath('userData'), () => app.getPath('documents'))
  const { logFailure } = startDesktopLog(log as unknown as ElectronLogLike, paths.logDirectory, {
    version: app.getVersion(),
    electron: process.versions.electron,
  })
  // Uncaught errors reach the log file too (no dialog: the window shows its own error screens).
  log.errorHandler.startCatching({ showDialog: false })
  const printFrom: { window?: BrowserWindow } = {}
  const dbFile = paths.dbFile
  const unlockDatabase = lockDatabase(dbFile)
  app.on('will-quit', unlockDatabase)
  const tokenDesk = await createApp({
    dbFile,
    keyStore: new SafeStorageKeyStore(safeStorage, paths.keyFile),
    centralUrl: process.env['TOKEN_DESK_CENTRAL_URL'],
    shell: { kind: 'desktop', runtime: `Electron ${process.versions.electron}` },
    logDirectory: paths.logDirectory,
    printPort: electronPrintPort(() => printFrom.window?.webContents),
    pdfDirectory: paths.pdfDirectory,
    dailyBackups: true,
  })
  const invoke = createHandlers(tokenDesk, logFailure)

  const devUrl = process.env['ELECTRON_RENDERER_URL']
  const appUrl = devUrl ?? new URL(`file://${join(__dirname, '../renderer/index.html')}`).href

  // Deny every permission (camera, notifications, …): the app needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionAllowed(permission)),
  )
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission))

  for (const name of Object.keys(channels)) {
    ipcMain.handle(IPC_PREFIX + name, (event, input) => {
      const frame = event.senderFrame
      if (
        !isTrustedSender(frame && { url: frame.url, isMainFrame: frame === event.sender.mainFrame }, appUrl)
      ) {
        return err('FORBIDDEN', 'IPC from an untrusted frame')
      }
      return invoke(`window:${event.sender.id}`, name, input)
    })
  }

  const window = new BrowserWindow(mainWindowOptions(join(__dirname, '../preload/index.cjs')))
  printFrom.window = window
  mainWindow = window
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault()
  })
  window.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault()
  })
  window.webContents.on('will-attach-webview', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Nothing opens inside the app; only allow-listed outside pages go to the user's browser.
    const decision = windowOpenDecision(url)
    if (decision.openExternally) void shell.openExternal(url)
    return { action: decision.action }
  })
  window.once('ready-to-show', () => window.show())
  await window.loadURL(appUrl)
}

app.enableSandbox()
// One instance per user: a second start focuses the open window instead of opening the same database.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.whenReady().then(start, (e) => {
    console.error(e)
    app.exit(1)
  })
}
app.on('window-all-closed', () => app.quit())
