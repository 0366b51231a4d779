import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import ja from '../../src/renderer/src/i18n/ja'
import en from '../../src/renderer/src/i18n/en'

/**
 * The message table is complete and lean: every key exists in Japanese and English, every key a
 * screen asks for exists, and every key is used somewhere in src (literally, or under a prefix the
 * code builds keys from, e.g. `otpStatus.${status}` uses every otpStatus.* key).
 */
function leaves(messages: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const [key, value] of Object.entries(messages as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (value && typeof value === 'object') for (const [k, v] of leaves(value, path)) out.set(k, v)
    else out.set(path, value)
  }
  return out
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path)
    return /\.(ts|vue|mjs)$/.test(path) && !path.includes('/renderer/src/i18n/') ? [path] : []
  })
}

const jaKeys = leaves(ja)
const enKeys = leaves(en)
const source = files('src/renderer')
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n')

/** Literal strings that look like keys, and prefixes of keys built at run time. */
const literals = new Set([...source.matchAll(/(['"`])([A-Za-z][\w]*(?:\.[\w]+)+)\1/g)].map((m) => m[2]!))
const prefixes = new Set([
  ...[...source.matchAll(/`([A-Za-z][\w.]*\.)\$\{/g)].map((m) => m[1]!),
  // A quoted literal ending in a dot is a prefix too: 'reason.' + x, label('reason.', x).
  ...[...source.matchAll(/'([A-Za-z][\w]*(?:\.[\w]+)*\.)'/g)].map((m) => m[1]!),
])
/** What the code asks for by a literal key: t('a.b'), te('a.b'), $t('a.b'), i18n.global.t('a.b'). */
const asked = [...source.matchAll(/\b(?:\$t|t|te|tm)\(\s*'([A-Za-z][\w]*(?:\.[\w]+)+)'/g)].map((m) => m[1]!)

describe('message keys (ja and en)', () => {
  it('has every Japanese key in English and every English key in Japanese', () => {
    const missingInEn = [...jaKeys.keys()].filter((k) => !enKeys.has(k))
    const missingInJa = [...enKeys.keys()].filter((k) => !jaKeys.has(k))
    expect({ missingInEn, missingInJa }).toEqual({ missingInEn: [], missingInJa: [] })
  })

  it('has a Japanese text for every key (English may leave out what it has no word for, like 様)', () => {
    const empty = [...jaKeys].filter(([, v]) => typeof v !== 'string' || v.trim() === '')
    const notText = [...enKeys].filter(([, v]) => typeof v !== 'string')
    expect({ empty: empty.map(([k]) => k), notText: notText.map(([k]) => k) }).toEqual({
      empty: [],
      notText: [],
    })
  })

  it('defines every key the code asks for, and every prefix the code builds keys from', () => {
    const undefinedKeys = asked.filter((k) => !jaKeys.has(k))
    const deadPrefixes = [...prefixes].filter((p) => ![...jaKeys.keys()].some((k) => k.startsWith(p)))
    expect(asked.length, 'the scan finds the keys screens ask for').toBeGreaterThan(50)
    expect({ undefinedKeys, deadPrefixes }).toEqual({ undefinedKeys: [], deadPrefixes: [] })
  })

  it('uses every key somewhere in src', () => {
    const unused = [...jaKeys.keys()].filter(
      (k) => !literals.has(k) && ![...prefixes].some((p) => k.startsWith(p)),
    )
    expect(unused).toEqual([])
  })
})
