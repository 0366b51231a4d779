import { hotp, totp } from 'otplib'
import { HashAlgorithms, KeyEncodings } from '@otplib/core'
import { matchingTimeStep } from '../../shared/otpWindow'

/**
 * Checks the OTP a hard token shows before it is handed over (DOMAIN.md: Hard-token inventory): HOTP
 * or TOTP as the token's record says, 6 or 8 digits, a TOTP step within ±29 s of now (the same window as
 * every time-based code, `src/shared/otpWindow.ts`), a look-ahead of 10 for HOTP; a counter or time step
 * already used is refused (replay).
 */
export interface DeviceRecord {
  algorithm: 'hotp' | 'totp'
  digits: number
  /** TOTP step in seconds */
  period: number | null
  /** HOTP: the next counter value the device should show */
  counter: number
  /** TOTP: the last time step accepted, or null */
  lastStep: number | null
}

export type DeviceOtpVerdict =
  { ok: true; counter: number; lastStep: number | null } | { ok: false; reason: 'mismatch' | 'replay' }

export const HOTP_LOOK_AHEAD = 10

function hotpAt(seed: Buffer, digits: number, counter: number): string {
  return hotp
    .clone({ digits, encoding: KeyEncodings.HEX, algorithm: HashAlgorithms.SHA1 })
    .generate(seed.toString('hex'), counter)
}

function totpAt(seed: Buffer, digits: number, period: number, step: number): string {
  return totp
    .clone({
      digits,
      step: period,
      epoch: step * period * 1000,
      encoding: KeyEncodings.HEX,
      algorithm: HashAlgorithms.SHA1,
    })
    .generate(seed.toString('hex'))
}

export function verifyDeviceOtp(
  device: DeviceRecord,
  seed: Buffer,
  otp: string,
  now: Date,
): DeviceOtpVerdict {
  if (!new RegExp(`^\\d{${device.digits}}$`).test(otp)) return { ok: false, reason: 'mismatch' }
  if (device.algorithm === 'hotp') {
    for (let c = device.counter; c <= device.counter + HOTP_LOOK_AHEAD; c++) {
      if (hotpAt(seed, device.digits, c) === otp)
        return { ok: true, counter: c + 1, lastStep: device.lastStep }
    }
    for (let c = Math.max(0, device.counter - HOTP_LOOK_AHEAD); c < device.counter; c++) {
      if (hotpAt(seed, device.digits, c) === otp) return { ok: false, reason: 'replay' }
    }
    return { ok: false, reason: 'mismatch' }
  }
  const period = device.period ?? 30
  const step = matchingTimeStep(now.getTime(), period, (s) => totpAt(seed, device.digits, period, s) === otp)
  if (step === null) return { ok: false, reason: 'mismatch' }
  if (device.lastStep !== null && step <= device.lastStep) return { ok: false, reason: 'replay' }
  return { ok: true, counter: device.counter, lastStep: step }
}

/** What a device shows now (for demo tools and tests). */
export function deviceOtpNow(
  device: Pick<DeviceRecord, 'algorithm' | 'digits' | 'period' | 'counter'>,
  seed: Buffer,
  now: Date,
): string {
  if (device.algorithm === 'hotp') return hotpAt(seed, device.digits, device.counter)
  const period = device.period ?? 30
  return totpAt(seed, device.digits, period, Math.floor(now.getTime() / 1000 / period))
}
