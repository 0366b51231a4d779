import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { SecretBox } from '../../src/core/security/secretBox'
import { formatDateBoth, formatWareki, formatYen } from '../../src/shared/format'
import { TOKEN_HEADER, CLIENT_HEADER } from '../../src/main/bridge/server'
import { readFileSync } from 'node:fs'

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32))
  const seed = Buffer.from('3132333435363738393031323334353637383930', 'hex')

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal(seed, 'seed:KT1')
    expect(sealed.startsWith('v1.')).toBe(true)
    expect(sealed).not.toContain(seed.toString('base64url'))
    expect(box.open(sealed, 'seed:KT1')).toEqual(seed)
  })

  it('refuses a sealed value moved to another context', () => {
    expect(() => box.open(box.seal(seed, 'seed:KT1'), 'seed:KT2')).toThrow()
  })

  it('refuses a tampered value and a different key', () => {
    const sealed = box.seal(seed, 'seed:KT1')
    const parts = sealed.split('.')
    const body = Buffer.from(parts[3]!, 'base64url')
    body[0] = body[0]! ^ 1
    parts[3] = body.toString('base64url')
    expect(() => box.open(parts.join('.'), 'seed:KT1')).toThrow()
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'seed:KT1')).toThrow()
  })

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow()
  })
})

describe('display formats', () => {
  it('writes dates in 和暦, across era changes', () => {
    expect(formatWareki('2026-11-25')).toBe('令和8年11月25日')
    expect(formatWareki('2019-05-01')).toBe('令和元年5月1日')
    expect(formatWareki('2019-04-30')).toBe('平成31年4月30日')
    expect(formatWareki('1985-04-03')).toBe('昭和60年4月3日')
  })

  it('uses Japan’s calendar day for an instant', () => {
    // 2026-11-24 20:00 UTC is already 25 November in Japan.
    expect(formatDateBoth('2026-11-24T20:00:00Z')).toBe('2026年11月25日（令和8年11月25日）')
  })

  it('writes yen with a sign and separators', () => {
    expect(formatYen(1100)).toBe('¥1,100')
    expect(formatYen(0)).toBe('¥0')
    expect(formatYen(-1100)).toBe('-¥1,100')
  })
})

describe('bridge headers', () => {
  it('are named the same in the renderer’s client', () => {
    const client = readFileSync('src/renderer/src/api/invoke.ts', 'utf8')
    expect(client).toContain(`'${TOKEN_HEADER}'`)
    expect(client).toContain(`'${CLIENT_HEADER}'`)
  })
})
