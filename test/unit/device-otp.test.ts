import { describe, expect, it } from 'vitest'
import {
  deviceOtpNow,
  HOTP_LOOK_AHEAD,
  verifyDeviceOtp,
  type DeviceRecord,
} from '../../src/core/domain/deviceOtp'
import { describeSkew, skewCases } from '../support/clockSkew'

// RFC 4226 and RFC 6238 (SHA-1) use the ASCII seed "12345678901234567890".
const SEED = Buffer.from('12345678901234567890', 'ascii')

describe('HOTP (RFC 4226 test vectors, 8 digits)', () => {
  // Appendix D "Decimal" column, truncated to 8 digits.
  const vectors = [
    '84755224',
    '94287082',
    '37359152',
    '26969429',
    '40338314',
    '68254676',
    '18287922',
    '82162583',
    '73399871',
    '45520489',
  ]
  const hotp = (counter: number): DeviceRecord => ({
    algorithm: 'hotp',
    digits: 8,
    period: null,
    counter,
    lastStep: null,
  })

  vectors.forEach((otp, counter) => {
    it(`counter ${counter} → ${otp}`, () => {
      expect(deviceOtpNow(hotp(counter), SEED, new Date())).toBe(otp)
      expect(verifyDeviceOtp(hotp(counter), SEED, otp, new Date())).toEqual({
        ok: true,
        counter: counter + 1,
        lastStep: null,
      })
    })
  })

  it('matches the 6-digit values of RFC 4226 too', () => {
    const six = (counter: number): DeviceRecord => ({
      algorithm: 'hotp',
      digits: 6,
      period: null,
      counter,
      lastStep: null,
    })
    expect(deviceOtpNow(six(0), SEED, new Date())).toBe('755224')
    expect(deviceOtpNow(six(9), SEED, new Date())).toBe('520489')
  })

  it('looks ahead 10 counters and no further', () => {
    expect(verifyDeviceOtp(hotp(0), SEED, vectors[9]!, new Date())).toEqual({
      ok: true,
      counter: 10,
      lastStep: null,
    })
    const far = deviceOtpNow(hotp(11), SEED, new Date())
    expect(verifyDeviceOtp(hotp(0), SEED, far, new Date())).toEqual({ ok: false, reason: 'mismatch' })
  })

  it('refuses a counter already used (replay)', () => {
    expect(verifyDeviceOtp(hotp(5), SEED, vectors[4]!, new Date())).toEqual({ ok: false, reason: 'replay' })
  })
})

describe('TOTP (RFC 6238 test vectors, SHA-1, 8 digits, 30 s)', () => {
  const totp = (lastStep: number | null = null): DeviceRecord => ({
    algorithm: 'totp',
    digits: 8,
    period: 30,
    counter: 0,
    lastStep,
  })
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ]
  for (const [seconds, otp] of vectors) {
    it(`T=${seconds} → ${otp}`, () => {
      const at = new Date(seconds * 1000)
      expect(deviceOtpNow(totp(), SEED, at)).toBe(otp)
      expect(verifyDeviceOtp(totp(), SEED, otp, at)).toEqual({
        ok: true,
        counter: 0,
        lastStep: Math.floor(seconds / 30),
      })
    })
  }

  // The code of step 37037036 ('07081804'); its steps start at multiples of 30 s.
  const STEP = 37037036
  const OTP = '07081804'
  for (const c of [...skewCases(STEP * 30_000), ...skewCases((STEP + 1) * 30_000)]) {
    // Only the cases whose device shows step 37037036 (ahead at its start, behind at its end).
    if (Math.floor(c.deviceMs / 30_000) !== STEP) continue
    it(`a device ${describeSkew(c)} (fake desk clock, step boundary)`, () => {
      expect(deviceOtpNow(totp(), SEED, new Date(c.deviceMs))).toBe(OTP)
      const verdict = verifyDeviceOtp(totp(), SEED, OTP, new Date(c.deskMs))
      expect(verdict).toEqual(
        c.accepted ? { ok: true, counter: 0, lastStep: STEP } : { ok: false, reason: 'mismatch' },
      )
    })
  }

  it('refuses codes 59 s away that the old ±1 step rule accepted', () => {
    const stepStart = STEP * 30
    // The desk 59 s after the step began (the code 30 s stale at its nearest) and 30 s before it began.
    expect(verifyDeviceOtp(totp(), SEED, OTP, new Date((stepStart + 59) * 1000)).ok).toBe(false)
    expect(verifyDeviceOtp(totp(), SEED, OTP, new Date((stepStart - 30) * 1000)).ok).toBe(false)
    // Inside the span: 15 s into the next step (the code is 15 s stale).
    expect(verifyDeviceOtp(totp(), SEED, OTP, new Date((stepStart + 45) * 1000)).ok).toBe(true)
  })

  it('HOTP look-ahead is not a time window: unchanged at 10 counters', () => {
    expect(HOTP_LOOK_AHEAD).toBe(10)
  })

  it('refuses a time step already used (replay), and an earlier one', () => {
    const at = new Date(1111111109 * 1000)
    expect(verifyDeviceOtp(totp(37037036), SEED, '07081804', at)).toEqual({ ok: false, reason: 'replay' })
    expect(verifyDeviceOtp(totp(37037037), SEED, '07081804', at)).toEqual({ ok: false, reason: 'replay' })
  })

  it('refuses input with the wrong number of digits', () => {
    expect(verifyDeviceOtp(totp(), SEED, '942870', new Date(59_000))).toEqual({
      ok: false,
      reason: 'mismatch',
    })
    expect(verifyDeviceOtp(totp(), SEED, '9428708x', new Date(59_000))).toEqual({
      ok: false,
      reason: 'mismatch',
    })
  })
})
