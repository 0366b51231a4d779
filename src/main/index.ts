import { join } from 'node:path'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { app, BrowserWindow, ipcMain, safeStorage, session, shell } from 'electron'
import { channels } from '../shared/contract'
import { err } from '../shared/result'
import { createApp } from './app'
import { createHandlers, logToStderr } from './ipc/handlers'
import type { KeyStore } from '../core/security/keyStore'
import { IPC_PREFIX } from '../shared/ipcChannel'
import { permissionAllowed, windowOpenDecision } from './shell/externalLinks'
import { lockDatabase } from './shell/instanceLock'
import { isAllowedNavigation, isTrustedSender, mainWindowOptions } from './shell/windowOptions'
// Issue 12b: rotating log files and printing through the main window (plain-Node modules, tested there).
import log from 'electron-log/main'
import { configureFileLog, failureLoggerFor, type ElectronLogLike } from './logging/fileLog'
import { electronPrintPort } from './printing/electronPort'

/** The data key, wrapped by the operating system's keychain (safeStorage) and kept beside the database. */
class SafeStorageKeyStore implements KeyStore {
  private key: Buffer | undefined
  constructor(private readonly file: string) {}
  dataKey(): Buffer {
    if (this.key) return this.key
    if (!safeStorage.isEncryptionAvailable()) throw new Error('the OS key store is not available')
    if (existsSync(this.file)) {
      this.key = Buffer.from(safeStorage.decryptString(readFileSync(this.file)), 'base64')
    } else {
      this.key = randomBytes(32)
      writeFileSync(this.file, safeStorage.encryptString(this.key.toString('base64')), {
        mode: 0o600,
        flag: 'wx',
      })
    }
    return this.key
  }
}

let mainWindow: BrowserWindow | undefined

async function start(): Promise<void> {
  const dataDir = app.getPath('userData')
  // Issue 12b hook: logs in <userData>/logs, PDFs in Documents/Token Desk, printing from the main window.
  const logDirectory = join(dataDir, 'logs')
  const fileLog = log as unknown as ElectronLogLike
  configureFileLog(fileLog, logDirectory)
  // Uncaught errors reach the log file too (no dialog: the window shows its own error screens).
  log.errorHandler.startCatching({ showDialog: false })
  fileLog.info(`Token Desk ${app.getVersion()} starting (Electron ${process.versions.electron})`)
  const printFrom: { window?: BrowserWindow } = {}
  const dbFile = join(dataDir, 'token-desk.sqlite')
  const unlockDatabase = lockDatabase(dbFile)
  app.on('will-quit', unlockDatabase)
  const tokenDesk = await createApp({
    dbFile,
    keyStore: new SafeStorageKeyStore(join(dataDir, 'token-desk.key')),
    centralUrl: process.env['TOKEN_DESK_CENTRAL_URL'],
    shell: { kind: 'desktop', runtime: `Electron ${process.versions.electron}` },
    logDirectory,
    printPort: electronPrintPort(() => printFrom.window?.webContents),
    pdfDirectory: join(app.getPath('documents'), 'Token Desk'),
    dailyBackups: true,
  })
  const logFailure = failureLoggerFor(fileLog)
  const invoke = createHandlers(tokenDesk, (channel, error) => {
    logToStderr(channel, error)
    logFailure(channel, error)
  })

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
