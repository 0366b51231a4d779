import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { channels, isChannelName, issuesToFields, sessionInfo } from '../../src/shared/contract'
import { ERROR_CODES } from '../../src/shared/errors'
import { DomainError, err, ok } from '../../src/shared/result'
import ja from '../../src/renderer/src/i18n/ja'
import en from '../../src/renderer/src/i18n/en'

describe('result helpers', () => {
  it('wraps a value', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 })
  })

  it('wraps an error, with fields only when given', () => {
    expect(err('NOT_FOUND', 'none')).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'none' } })
    expect(err('VALIDATION', 'bad', { cif: '7 digits' })).toEqual({
      ok: false,
      error: { code: 'VALIDATION', message: 'bad', fields: { cif: '7 digits' } },
    })
  })

  it('turns a DomainError into the same error result', () => {
    expect(new DomainError('CONFLICT', 'no').toResult()).toEqual(err('CONFLICT', 'no'))
  })
})

describe('the channel contract', () => {
  it('knows its channels and nothing else', () => {
    expect(isChannelName('auth.login')).toBe(true)
    expect(isChannelName('toString')).toBe(false)
    expect(isChannelName('auth.nothing')).toBe(false)
    expect(isChannelName(42)).toBe(false)
  })

  it('gives every channel an input schema, an output schema and an access rule', () => {
    for (const [name, spec] of Object.entries(channels)) {
      expect(spec.input, name).toBeInstanceOf(z.ZodType)
      expect(spec.output, name).toBeInstanceOf(z.ZodType)
      expect(spec.access === 'public' || spec.access === 'any' || Array.isArray(spec.access), name).toBe(true)
    }
  })

  it('keeps public channels to the few a login screen, a new PC’s setup and a PC whose key is lost need', () => {
    const open = Object.entries(channels)
      .filter(([, spec]) => spec.access === 'public')
      .map(([name]) => name)
    expect(open.sort()).toEqual([
      'app.status',
      'auth.login',
      'auth.session',
      'keyRecovery.export',
      'keyRecovery.reenrol',
      'keyRecovery.status',
      'setup.enroll',
      'setup.progress',
    ])
  })

  it('drops keys the contract does not name from an output (no hash leaves the main process)', () => {
    const parsed = sessionInfo.parse({
      staffId: 'T001',
      name: '山田 花子',
      role: 'teller',
      branchCode: '001',
      branchName: '本店営業部',
      idleLockSeconds: 300,
      totpEnrolled: false,
      locked: false,
      mustChangePassword: false,
      password_hash: 'scrypt$…',
    })
    expect(parsed).not.toHaveProperty('password_hash')
  })

  it('refuses unknown input keys', () => {
    const result = channels['auth.login'].input.safeParse({ staffId: 'T001', password: 'x', admin: true })
    expect(result.success).toBe(false)
  })

  it('reports each bad field once, by path', () => {
    const result = channels['customers.getByCif'].input.safeParse({ cif: '12ab' })
    expect(result.success).toBe(false)
    if (!result.success) expect(issuesToFields(result.error)).toEqual({ cif: 'CIF number is 7 digits' })
  })

  it('has Japanese and English words for every error code', () => {
    for (const code of ERROR_CODES) {
      expect(ja.errors[code], code).toBeTruthy()
      expect(en.errors[code], code).toBeTruthy()
    }
  })
})

describe('failure logging', () => {
  it('names the kind and code of an error, never its message', async () => {
    const { describeFailure } = await import('../../src/main/ipc/handlers')
    const e = Object.assign(new Error("insert into staff values ('scrypt$32768$secret-hash')"), {
      code: 'SQLITE_CONSTRAINT',
    })
    const line = describeFailure(e)
    expect(line).toMatch(/^Error SQLITE_CONSTRAINT at /)
    expect(line).not.toContain('secret-hash')
  })
})
