import { authenticator } from 'otplib'
import { matchingTimeStep } from '../../shared/otpWindow'

/** Authenticator apps (RFC 6238 as Google Authenticator does it): 30-second steps, 6 digits. */
export const AUTHENTICATOR_STEP_SECONDS = 30

/**
 * The time step of a code from a person's authenticator app (a supervisor's or an HQ person's), within
 * ±29 s of `now` (`src/shared/otpWindow.ts`), or null when it matches none. Callers refuse a step at
 * or before the last one they accepted (replay).
 */
export function authenticatorStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null
  return matchingTimeStep(now.getTime(), AUTHENTICATOR_STEP_SECONDS, (step) =>
    authenticator.clone({ epoch: step * AUTHENTICATOR_STEP_SECONDS * 1000 }).check(code, secret),
  )
}
