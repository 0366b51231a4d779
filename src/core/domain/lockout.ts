import { LOCKOUT_MINUTES, MAX_FAILED_LOGINS } from '../../shared/domain'

/** DOMAIN.md: 5 wrong passwords lock the account for 15 minutes. */
export interface LoginCounter {
  failedLogins: number
  lockedUntil: string | null
}

export function isLockedOut(counter: LoginCounter, now: Date): boolean {
  return counter.lockedUntil !== null && new Date(counter.lockedUntil).getTime() > now.getTime()
}

/** The counter after one more wrong password; the fifth one locks and starts a fresh count. */
export function afterWrongPassword(counter: LoginCounter, now: Date): LoginCounter & { justLocked: boolean } {
  // A lock that has run out starts the count again.
  const failed = (counter.lockedUntil && !isLockedOut(counter, now) ? 0 : counter.failedLogins) + 1
  if (failed >= MAX_FAILED_LOGINS) {
    return {
      failedLogins: 0,
      lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString(),
      justLocked: true,
    }
  }
  return { failedLogins: failed, lockedUntil: null, justLocked: false }
}

export const AFTER_GOOD_PASSWORD: LoginCounter = { failedLogins: 0, lockedUntil: null }
