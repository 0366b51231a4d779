import { describe, expect, it } from 'vitest'
import {
  afterWrongPassword,
  isLockedOut,
  AFTER_GOOD_PASSWORD,
  type LoginCounter,
} from '../../src/core/domain/lockout'
import { hashPassword, verifyPassword } from '../../src/core/security/passwords'

describe('password hashing', () => {
  it('stores an scrypt hash with its parameters and a salt, never the password', async () => {
    const hash = await hashPassword('demo-T001')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(hash).not.toContain('demo-T001')
  })

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'))
  })

  it('accepts the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('Correct-horse-1')
    expect(await verifyPassword('Correct-horse-1', hash)).toBe(true)
    expect(await verifyPassword('correct-horse-1', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
  })

  it('refuses a stored value that is not an scrypt hash', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false)
    expect(await verifyPassword('x', 'md5$abc')).toBe(false)
  })
})

describe('lockout rules', () => {
  const now = new Date('2026-11-25T01:00:00Z')
  const fresh = { failedLogins: 0, lockedUntil: null }

  it('counts the first four wrong passwords without locking', () => {
    let counter: LoginCounter = { ...fresh }
    for (let i = 1; i <= 4; i++) {
      const next = afterWrongPassword(counter, now)
      expect(next.justLocked).toBe(false)
      expect(next.failedLogins).toBe(i)
      counter = next
    }
    expect(isLockedOut(counter, now)).toBe(false)
  })

  it('locks for 15 minutes on the fifth wrong password', () => {
    const next = afterWrongPassword({ failedLogins: 4, lockedUntil: null }, now)
    expect(next.justLocked).toBe(true)
    expect(next.lockedUntil).toBe('2026-11-25T01:15:00.000Z')
    expect(isLockedOut(next, now)).toBe(true)
    expect(isLockedOut(next, new Date('2026-11-25T01:14:59.999Z'))).toBe(true)
    expect(isLockedOut(next, new Date('2026-11-25T01:15:00.000Z'))).toBe(false)
  })

  it('starts a fresh count once a lock has run out', () => {
    const expired = { failedLogins: 0, lockedUntil: '2026-11-25T00:59:00.000Z' }
    const next = afterWrongPassword(expired, now)
    expect(next).toEqual({ failedLogins: 1, lockedUntil: null, justLocked: false })
  })

  it('clears the count after a good password', () => {
    expect(AFTER_GOOD_PASSWORD).toEqual({ failedLogins: 0, lockedUntil: null })
  })
})
