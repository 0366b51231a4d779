import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { existsSync, statSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import type {
  App,
  BrowserWindow,
  BrowserWindowConstructorOptions,
  CrashReporter,
  CustomScheme,
  Dialog,
  IpcMain,
  IpcMainInvokeEvent,
  Menu,
  Net,
  Protocol,
  Session,
  Shell,
  WebContents,
} from 'electron'
import type { SafeStorageLike } from '../../src/main/shell/safeStorageKeyStore'

/**
 * A recording stand-in for the part of the `electron` module src/main/index.ts uses, so index.ts itself
 * runs in plain Node (Electron's binary cannot run here). Every member is typed from Electron's own
 * d.ts (`Pick<App, …>`, `Pick<WebContents, …>`): a stand-in whose calls differ from Electron's does
 * not compile, and index.ts is compiled against the real types. What the app does is real: its
 * database, services, files and a central over HTTP; only Electron's side is recorded here.
 */

/** The OS key store for one OS user: real AES-GCM under that user's key, asynchronous calls only. */
export function osKeyStore(options: { available?: boolean; rotated?: boolean } = {}) {
  const userKey = randomBytes(32)
  const calls = { encrypt: 0, decrypt: 0 }
  const store: SafeStorageLike = {
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    encryptStringAsync: async (text) => {
      calls.encrypt++
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', userKey, iv)
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decryptStringAsync: async (data) => {
      calls.decrypt++
      const decipher = createDecipheriv('aes-256-gcm', userKey, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(12, 28))
      const result = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8')
      return { result, shouldReEncrypt: options.rotated ?? false }
    },
  }
  return { store, calls }
}

/** An Electron event whose default can be prevented. */
export function preventable(): { preventDefault(): void; defaultPrevented: boolean } {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true
    },
  }
  return event
}

export interface StandInOptions {
  appData: string
  safeStorage: SafeStorageLike
  isPackaged?: boolean
  /** What requestSingleInstanceLock answers: false for a second start. */
  firstInstance?: boolean
  /** How loadURL ends: a rejection for a page that cannot load. */
  loadFails?: Error
  /** Whether the page paints (ready-to-show) after loading. */
  paints?: boolean
  /** What webContents.print reports. */
  printResult?: { success: boolean; failureReason: string }
}

export class FakeWebContents
  extends EventEmitter
  implements
    Pick<WebContents, 'id' | 'reload' | 'setWindowOpenHandler' | 'print' | 'printToPDF' | 'getPrintersAsync'>
{
  readonly mainFrame = { url: '' }
  windowOpenHandler: Parameters<WebContents['setWindowOpenHandler']>[0] | undefined
  printed: Parameters<WebContents['print']>[0][] = []

  constructor(
    readonly id: number,
    readonly standIn: ElectronStandIn,
  ) {
    super()
  }

  reload(): void {
    this.standIn.record('webContents.reload')
  }

  setWindowOpenHandler(handler: Parameters<WebContents['setWindowOpenHandler']>[0]): void {
    this.windowOpenHandler = handler
  }

  print(...[options, callback]: Parameters<WebContents['print']>): void {
    this.printed.push(options)
    const { success, failureReason } = this.standIn.options.printResult ?? {
      success: true,
      failureReason: '',
    }
    setImmediate(() => callback?.(success, failureReason))
  }

  async printToPDF(): Promise<Buffer> {
    return Buffer.from('%PDF-1.7 stand-in')
  }

  async getPrintersAsync(): ReturnType<WebContents['getPrintersAsync']> {
    return []
  }
}

type WindowMethods = 'loadURL' | 'show' | 'isVisible' | 'isDestroyed' | 'isMinimized' | 'restore' | 'focus'

export class FakeWindow extends EventEmitter implements Pick<BrowserWindow, WindowMethods> {
  readonly webContents: FakeWebContents
  visible = false
  minimized = false
  loaded: string[] = []

  constructor(
    readonly options: BrowserWindowConstructorOptions,
    readonly standIn: ElectronStandIn,
  ) {
    super()
    this.webContents = new FakeWebContents(standIn.windows.length + 1, standIn)
    standIn.windows.push(this)
    standIn.record('new BrowserWindow')
  }

  async loadURL(url: string): Promise<void> {
    this.loaded.push(url)
    this.standIn.record(`loadURL ${url.slice(0, 40)}`)
    if (this.standIn.options.loadFails) throw this.standIn.options.loadFails
    this.webContents.mainFrame.url = url
    if (this.standIn.options.paints ?? true) setImmediate(() => this.emit('ready-to-show'))
  }

  show(): void {
    this.visible = true
    this.standIn.record('window.show')
    this.emit('show')
  }

  isVisible(): boolean {
    return this.visible
  }

  isDestroyed(): boolean {
    return false
  }

  isMinimized(): boolean {
    return this.minimized
  }

  restore(): void {
    this.minimized = false
    this.standIn.record('window.restore')
  }

  focus(): void {
    this.standIn.record('window.focus')
  }
}

type AppMembers =
  | 'getPath'
  | 'setPath'
  | 'setAppUserModelId'
  | 'enableSandbox'
  | 'requestSingleInstanceLock'
  | 'quit'
  | 'exit'
  | 'whenReady'
  | 'getVersion'
  | 'isPackaged'

export class FakeApp extends EventEmitter implements Pick<App, AppMembers> {
  readonly paths = new Map<string, string>()

  constructor(readonly standIn: ElectronStandIn) {
    super()
  }

  get isPackaged(): boolean {
    return this.standIn.options.isPackaged ?? false
  }

  getPath(name: Parameters<App['getPath']>[0]): string {
    if (name === 'appData') return this.standIn.options.appData
    const path = this.paths.get(name)
    if (!path) throw new Error(`the stand-in has no path ${name}`)
    return path
  }

  /** As Electron's d.ts says: a relative path, or a folder that does not exist, is an Error. */
  setPath(name: string, path: string): void {
    if (!isAbsolute(path)) throw new Error('Path must be absolute')
    if (!existsSync(path) || !statSync(path).isDirectory())
      throw new Error(`the folder ${path} does not exist (create it before app.setPath)`)
    this.paths.set(name, path)
    this.standIn.record(`setPath ${name}`)
  }

  setAppUserModelId(id: string): void {
    this.standIn.record(`setAppUserModelId ${id}`)
  }

  enableSandbox(): void {
    this.standIn.record('enableSandbox')
  }

  requestSingleInstanceLock(): boolean {
    this.standIn.record('requestSingleInstanceLock')
    return this.standIn.options.firstInstance ?? true
  }

  /** As Electron: before-quit first, which may prevent the quit; then the app is gone. */
  quit(): void {
    this.standIn.record('app.quit')
    const event = preventable()
    this.emit('before-quit', event)
    if (event.defaultPrevented) return
    this.standIn.quitted = true
    this.standIn.record('quitted')
  }

  exit(code?: number): void {
    this.standIn.exitCode = code ?? 0
    this.standIn.record(`app.exit ${code}`)
  }

  whenReady(): Promise<void> {
    return Promise.resolve()
  }

  getVersion(): string {
    return '0.2.0'
  }
}

/** The members of `electron` index.ts imports, each typed from Electron's d.ts. */
export interface ElectronModuleStandIn {
  app: Pick<App, AppMembers> & Pick<EventEmitter, 'on' | 'once' | 'emit'>
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => FakeWindow
  crashReporter: Pick<CrashReporter, 'start'>
  dialog: Pick<Dialog, 'showErrorBox'>
  ipcMain: Pick<IpcMain, 'handle'>
  Menu: { setApplicationMenu: (typeof Menu)['setApplicationMenu'] }
  net: Pick<Net, 'fetch'>
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>
  safeStorage: SafeStorageLike
  session: { defaultSession: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> }
  shell: Pick<Shell, 'openExternal'>
}

type IpcListener = Parameters<IpcMain['handle']>[1]
type ProtocolHandler = Parameters<Protocol['handle']>[1]

/** The stand-in and everything it recorded. */
export class ElectronStandIn {
  /** Everything in the order it happened (index.ts's calls and the test's own marks). */
  readonly events: string[] = []
  readonly windows: FakeWindow[] = []
  readonly ipc = new Map<string, IpcListener>()
  readonly protocols = new Map<string, ProtocolHandler>()
  readonly schemes: CustomScheme[] = []
  readonly errorBoxes: { title: string; content: string }[] = []
  readonly netFetched: string[] = []
  readonly crashReports: Parameters<CrashReporter['start']>[0][] = []
  applicationMenu: Menu | null | 'default' = 'default'
  exitCode: number | undefined
  quitted = false
  readonly app: FakeApp

  constructor(readonly options: StandInOptions) {
    this.app = new FakeApp(this)
  }

  record(event: string): void {
    this.events.push(event)
  }

  get window(): FakeWindow {
    const window = this.windows[0]
    if (!window) throw new Error('index.ts opened no window')
    return window
  }

  /** A call from a frame, as Chromium delivers it to ipcMain.handle. */
  async invoke(
    channel: string,
    input: unknown,
    frame: { url: string; mainFrame?: boolean } = { url: this.window.webContents.mainFrame.url },
  ): Promise<unknown> {
    const listener = this.ipc.get(`td:${channel}`)
    if (!listener) throw new Error(`no handler for ${channel}`)
    const contents = this.window.webContents
    const senderFrame = { url: frame.url }
    const event = {
      senderFrame,
      sender: { id: contents.id, mainFrame: frame.mainFrame === false ? {} : senderFrame },
    }
    return listener(event as unknown as IpcMainInvokeEvent, input)
  }

  /**
   * The `electron` module index.ts imports. Events (`on`) come from Node's EventEmitter: index.ts's
   * listeners are typed by Electron's d.ts where it is compiled.
   */
  module(): ElectronModuleStandIn {
    const crashReporter: Pick<CrashReporter, 'start'> = {
      start: (options) => {
        this.crashReports.push(options)
      },
    }
    const dialog: Pick<Dialog, 'showErrorBox'> = {
      showErrorBox: (title, content) => {
        this.errorBoxes.push({ title, content })
        this.record('dialog.showErrorBox')
      },
    }
    const ipcMain: Pick<IpcMain, 'handle'> = {
      handle: (channel, listener) => {
        this.ipc.set(channel, listener)
      },
    }
    const menu: { setApplicationMenu: (typeof Menu)['setApplicationMenu'] } = {
      setApplicationMenu: (m) => {
        this.applicationMenu = m
        this.record('Menu.setApplicationMenu')
      },
    }
    const net: Pick<Net, 'fetch'> = {
      fetch: (input, init) => {
        this.netFetched.push(typeof input === 'string' ? input : input.url)
        return fetch(input, init)
      },
    }
    const protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'> = {
      registerSchemesAsPrivileged: (schemes) => {
        this.schemes.push(...schemes)
        this.record('protocol.registerSchemesAsPrivileged')
      },
      handle: (scheme, handler) => {
        this.protocols.set(scheme, handler)
      },
    }
    const defaultSession: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> = {
      setPermissionRequestHandler: () => this.record('setPermissionRequestHandler'),
      setPermissionCheckHandler: () => this.record('setPermissionCheckHandler'),
    }
    const shell: Pick<Shell, 'openExternal'> = {
      openExternal: async (url) => {
        this.record(`openExternal ${url}`)
      },
    }
    const windowOf = (options: BrowserWindowConstructorOptions) => new FakeWindow(options, this)
    return {
      app: this.app,
      BrowserWindow: function BrowserWindow(options: BrowserWindowConstructorOptions) {
        return windowOf(options)
      } as unknown as ElectronModuleStandIn['BrowserWindow'],
      crashReporter,
      dialog,
      ipcMain,
      Menu: menu,
      net,
      protocol,
      safeStorage: this.options.safeStorage,
      session: { defaultSession },
      shell,
    }
  }
}
