import { err } from '../shared/result'
import { createApp, type AppOptions, type TokenDeskApp } from './app'
import { createHandlers, type FailureLogger, type Invoke } from './ipc/handlers'

/** How long closing waits for calls already running (a report, a first pull) before it closes anyway. */
export const CALLS_WAIT_MS = 15_000

/**
 * The open app behind a shell (the Electron window or browser mode's bridge): the handler table every
 * call goes through, the calls still running, and closing. Closing refuses new calls, waits for the
 * running ones (a 今すぐバックアップ, a fee being written), then closes the app: sync stopped, the daily
 * backup finished, the database closed. A PC that starts anew after its data key was lost gets a new
 * app here, behind the same handler entry point.
 */
export class AppHost {
  private app!: TokenDeskApp
  private handlers!: Invoke
  private readonly running = new Set<Promise<unknown>>()
  private closing: Promise<void> | undefined

  private constructor(
    /** Fresh options at each opening: a key store remembers its key, and a new database needs a new one. */
    private readonly options: () => AppOptions,
    private readonly logFailure: FailureLogger,
  ) {}

  static async open(options: () => AppOptions, logFailure: FailureLogger = () => {}): Promise<AppHost> {
    const host = new AppHost(options, logFailure)
    await host.openApp()
    return host
  }

  /** The app as it is now (ready, corrupt or with its key lost). */
  get current(): TokenDeskApp {
    return this.app
  }

  private async openApp(): Promise<void> {
    this.app = await createApp({ ...this.options(), reopen: () => this.openApp() })
    this.handlers = createHandlers(this.app, this.logFailure)
  }

  readonly invoke: Invoke = (clientKey, channel, input) => {
    if (this.closing) return Promise.resolve(err('CLOSING', 'Token Desk is closing'))
    const call = this.handlers(clientKey, channel, input)
    this.running.add(call)
    const done = () => this.running.delete(call)
    call.then(done, done)
    return call
  }

  /** Closes once, however often it is asked (quit, then the end of the Windows session). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((resolve) => (timer = setTimeout(resolve, CALLS_WAIT_MS))),
      ])
      clearTimeout(timer)
      await this.app.close()
    })()
    return this.closing
  }
}
