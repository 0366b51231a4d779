/**
 * Runs password checks for one account one at a time. A password check is a deliberately slow scrypt
 * on Node's small worker pool; a flood of attempts against one account (1,000 wrong logins from a
 * script at a teller's PC) would otherwise fill that pool and slow every other account's login. Queued
 * per account, a flood occupies one worker and only its own account waits.
 */
export class PerAccountQueue {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(account: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(account) ?? Promise.resolve()
    const next = previous.then(work, work)
    const tail = next.catch(() => undefined)
    this.tails.set(account, tail)
    // Forget an account once its queue is empty, so the map stays small.
    void tail.then(() => {
      if (this.tails.get(account) === tail) this.tails.delete(account)
    })
    return next
  }

  /** Accounts with work queued or running (for tests). */
  get busyAccounts(): number {
    return this.tails.size
  }
}
