import { describe, expect, it } from 'vitest'
import { deviceOtpNow, verifyDeviceOtp, type DeviceRecord } from '../../src/core/domain/deviceOtp'

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

  it('accepts one step either side and refuses two', () => {
    const otp = '07081804' // step 37037036
    const stepStart = 37037036 * 30
    expect(verifyDeviceOtp(totp(), SEED, otp, new Date((stepStart + 30) * 1000)).ok).toBe(true)
    expect(verifyDeviceOtp(totp(), SEED, otp, new Date((stepStart + 59) * 1000)).ok).toBe(true)
    expect(verifyDeviceOtp(totp(), SEED, otp, new Date((stepStart + 60) * 1000))).toEqual({
      ok: false,
      reason: 'mismatch',
    })
    expect(verifyDeviceOtp(totp(), SEED, otp, new Date((stepStart - 30) * 1000)).ok).toBe(true)
    expect(verifyDeviceOtp(totp(), SEED, otp, new Date((stepStart - 31) * 1000))).toEqual({
      ok: false,
      reason: 'mismatch',
    })
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
