import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parsePskc } from '../../src/central/pskc'

const fixture = (name: string) => readFileSync(`test/fixtures/pskc/${name}`, 'utf8')
const PSK = '12345678901234567890123456789012'

describe('PSKC (RFC 6030) containers', () => {
  it('reads a plain secret (Figure 2)', () => {
    const [token] = parsePskc(fixture('rfc6030-figure2.xml'))
    expect(token).toMatchObject({ serial: '12345678', algorithm: 'hotp', digits: 6, counter: 0 })
    expect(token!.seed.toString('utf8')).toBe('1234')
  })

  it('decrypts AES-128-CBC with a pre-shared key and checks the MAC (Figure 6)', () => {
    const [token] = parsePskc(fixture('rfc6030-figure6.xml'), { keyHex: PSK })
    expect(token).toMatchObject({ serial: '987654321', algorithm: 'hotp', digits: 8, counter: 0 })
    expect(token!.seed.toString('utf8')).toBe('12345678901234567890')
  })

  it('derives the key from a password with PBKDF2 (Figure 7)', () => {
    const [token] = parsePskc(fixture('rfc6030-figure7.xml'), { password: 'qwerty' })
    expect(token!.seed.toString('hex')).toBe('3132333435363738393031323334353637383930')
  })

  it('refuses the whole file when a MAC does not match', () => {
    const tampered = fixture('rfc6030-figure6.xml').replace(
      'Su+NvtQfmvfJzF6bmQiJqoLRExc=',
      'Su+NvtRfmvfJzF6bmQiJqoLRExc=',
    )
    expect(() => parsePskc(tampered, { keyHex: PSK })).toThrow(/MAC/)
  })

  it('refuses a changed cipher value (the MAC covers it)', () => {
    const tampered = fixture('rfc6030-figure6.xml').replace(
      'AAECAwQFBgcICQoLDA0OD+cI',
      'AAECAwQFBgcICQoLDA0OD+cJ',
    )
    expect(() => parsePskc(tampered, { keyHex: PSK })).toThrow()
  })

  it('says which key is missing or wrong', () => {
    expect(() => parsePskc(fixture('rfc6030-figure6.xml'))).toThrow(/--key/)
    expect(() => parsePskc(fixture('rfc6030-figure7.xml'))).toThrow(/password/)
    expect(() => parsePskc(fixture('rfc6030-figure6.xml'), { keyHex: '00'.repeat(16) })).toThrow()
    expect(() => parsePskc(fixture('rfc6030-figure7.xml'), { password: 'wrong' })).toThrow()
    expect(() => parsePskc('<notpskc/>')).toThrow(/KeyContainer/)
  })
})
