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
import { isAllowedNavigation, isTrustedSender, mainWindowOptions } from './shell/windowOptions'

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

async function start(): Promise<void> {
  const dataDir = app.getPath('userData')
  const tokenDesk = await createApp({
    dbFile: join(dataDir, 'token-desk.sqlite'),
    keyStore: new SafeStorageKeyStore(join(dataDir, 'token-desk.key')),
    centralUrl: process.env['TOKEN_DESK_CENTRAL_URL'],
  })
  const invoke = createHandlers(tokenDesk, logToStderr)

  const devUrl = process.env['ELECTRON_RENDERER_URL']
  const appUrl = devUrl ?? new URL(`file://${join(__dirname, '../renderer/index.html')}`).href

  // Deny every permission (camera, notifications, …): the app needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)

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
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault()
  })
  window.webContents.on('will-attach-webview', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser; nothing opens inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.once('ready-to-show', () => window.show())
  await window.loadURL(appUrl)
}

app.enableSandbox()
app.whenReady().then(start, (e) => {
  console.error(e)
  app.exit(1)
})
app.on('window-all-closed', () => app.quit())
