import { backoffDelay } from './backoff'

export const SYNC_INTERVAL_MS = 15_000

const noop = () => {}

/**
 * Runs sync every 15 s, at once after a local change or "sync now", and backs off with full jitter after
 * failures. Runs never overlap: a request during a run makes one more run right after it.
 */
export class SyncScheduler {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private again = false
  private failures = 0
  private stopped = true

  constructor(private readonly syncOnce: () => Promise<void>) {}

  start(): void {
    this.stopped = false
    this.schedule(0)
  }

  /** No more runs; resolves once a run in progress has ended (closing must not close the database under it). */
  stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    return this.running ? this.running.then(noop, noop) : Promise.resolve()
  }

  /**
   * After a local change: sync soon (a small delay gathers a burst of changes). An urgent change (an
   * emergency suspension) tries at once, even while backing off after failures.
   */
  notifyChange(urgent = false): void {
    if (this.stopped) return
    if (urgent) this.schedule(0)
    else if (this.failures === 0) this.schedule(200)
  }

  /** "Sync now": runs at once (or right after the run in progress) and reports how it went. */
  async now(): Promise<void> {
    if (this.running) {
      this.again = true
      await this.running
    }
    await this.run()
  }

  private schedule(delay: number): void {
    if (this.stopped) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.run().catch(() => {}), delay)
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        await this.syncOnce()
        this.failures = 0
      } catch (e) {
        this.failures++
        throw e
      } finally {
        this.running = undefined
        const rerun = this.again
        this.again = false
        this.schedule(rerun ? 0 : this.failures ? backoffDelay(this.failures) : SYNC_INTERVAL_MS)
      }
    })()
    return this.running
  }
}
