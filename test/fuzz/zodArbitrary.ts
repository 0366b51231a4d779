import fc from 'fast-check'
import type { z } from 'zod'

/**
 * fast-check arbitraries derived from our zod (v4) schemas. No maintained package fits: zod-fast-check
 * supports zod 3 and fast-check below 4 only. This walks the schema's definition (`_zod.def`) and covers
 * the kinds the IPC contract and the sync protocol use; an unknown kind fails loudly rather than being
 * skipped, so a new schema feature cannot silently escape fuzzing.
 *
 * `hints` map a field name to an arbitrary of realistic values (a CIF that exists, a serial in stock,
 * a staff ID): inputs of the right shape that also name real records are what reach the services.
 */
export type Hints = Record<string, fc.Arbitrary<unknown>>

interface Def {
  type: string
  checks?: { _zod: { def: Record<string, unknown> } }[]
  [key: string]: unknown
}

function defOf(schema: unknown): Def {
  return (schema as { _zod: { def: Def } })._zod.def
}

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  let min = 0
  let max = 60
  // A format schema (z.uuid(), z.iso.date()) carries its format on the definition itself.
  let pattern = def['pattern'] as RegExp | undefined
  let format = def['format'] as string | undefined
  for (const c of def.checks ?? []) {
    const d = c._zod.def
    if (d['check'] === 'min_length') min = d['minimum'] as number
    else if (d['check'] === 'max_length') max = d['maximum'] as number
    else if (d['check'] === 'length_equals') min = max = d['length'] as number
    else if (d['check'] === 'string_format') {
      format = d['format'] as string
      if (d['pattern']) pattern = d['pattern'] as RegExp
    }
  }
  if (format === 'uuid') return fc.uuid({ version: [4, 7] })
  // ISO dates and instants: real ones around the demo's days (a regex alone makes 2026-19-39).
  const instant = fc.date({
    min: new Date('2026-11-20T00:00:00Z'),
    max: new Date('2026-11-30T00:00:00Z'),
    noInvalidDate: true,
  })
  if (format === 'date') return instant.map((d) => d.toISOString().slice(0, 10))
  if (format === 'datetime') return instant.map((d) => d.toISOString())
  if (pattern) {
    // stringMatching honours the pattern; the length bounds are checked after.
    return fc
      .stringMatching(pattern, { size: 'small' })
      .filter((s) => s.trim().length >= min && s.length <= max)
  }
  // Japanese and odd characters as well as ASCII: names, kana, notes.
  const unit = fc.oneof(
    fc.constantFrom(...'あいうえおカキクケコ山田花子０１２３ 　-_./\\\'"<>%'.split('')),
    fc.string({ minLength: 1, maxLength: 1 }),
    fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }),
  )
  return fc
    .array(unit, { minLength: min, maxLength: Math.min(max, min + 40) })
    .map((parts) => parts.join('').slice(0, max))
    .filter((s) => s.trim().length >= Math.min(min, 1) || min === 0)
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let min = -1_000_000
  let max = 1_000_000
  let integer = false
  for (const c of def.checks ?? []) {
    const d = c._zod.def
    if (d['check'] === 'number_format') integer = true
    else if (d['check'] === 'greater_than') min = (d['value'] as number) + (d['inclusive'] ? 0 : 1)
    else if (d['check'] === 'less_than') max = (d['value'] as number) - (d['inclusive'] ? 0 : 1)
  }
  if (integer) {
    // Mostly small values near the lower bound (page 1, ¥1,100), sometimes anywhere in range.
    return fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min, max: Math.min(max, min + 3000) }) },
      { weight: 1, arbitrary: fc.integer({ min, max }) },
    )
  }
  return fc.double({ min, max, noNaN: true })
}

/** An arbitrary of values the schema accepts in shape (refinements may still refuse some). */
export function arbitraryFor(
  schema: z.ZodType | unknown,
  hints: Hints = {},
  field?: string,
): fc.Arbitrary<unknown> {
  if (field && hints[field]) return hints[field]!
  const def = defOf(schema)
  switch (def.type) {
    case 'string':
      return stringArbitrary(def)
    case 'number':
      return numberArbitrary(def)
    case 'boolean':
      return fc.boolean()
    case 'literal':
      return fc.constantFrom(...(def['values'] as unknown[]))
    case 'enum':
      return fc.constantFrom(...Object.values(def['entries'] as Record<string, unknown>))
    case 'null':
      return fc.constant(null)
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: 2 })
    case 'optional':
      return fc.option(arbitraryFor(def['innerType'], hints, field), { nil: undefined, freq: 3 })
    case 'nullable':
      return fc.option(arbitraryFor(def['innerType'], hints, field), { nil: null, freq: 4 })
    case 'default':
    case 'prefault':
      return fc.option(arbitraryFor(def['innerType'], hints, field), { nil: undefined, freq: 3 })
    case 'pipe':
      return arbitraryFor(def['in'], hints, field)
    case 'array': {
      let maxLength = 5
      for (const c of def.checks ?? [])
        if (c._zod.def['check'] === 'max_length')
          maxLength = Math.min(maxLength, c._zod.def['maximum'] as number)
      return fc.array(arbitraryFor(def['element'], hints, field), { maxLength })
    }
    case 'record':
      return fc.dictionary(
        arbitraryFor(def['keyType'], hints) as fc.Arbitrary<string>,
        arbitraryFor(def['valueType'], hints),
        { maxKeys: 4 },
      )
    case 'union':
      return fc.oneof(...(def['options'] as unknown[]).map((o) => arbitraryFor(o, hints, field)))
    case 'object': {
      const shape = def['shape'] as Record<string, unknown>
      const keys = Object.keys(shape)
      const parts: Record<string, fc.Arbitrary<unknown>> = {}
      for (const key of keys) parts[key] = arbitraryFor(shape[key], hints, key)
      return fc.record(parts).map((value) => {
        // Leave optional fields out rather than present as undefined, as JSON would.
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v
        return out
      })
    }
    default:
      throw new Error(`zodArbitrary: no arbitrary for zod type ${def.type}`)
  }
}

/**
 * What the fuzzer sends: mostly inputs derived from the schema (they pass it and reach the service),
 * some of them bent (a field dropped, one added, a wrong type), and some pure junk.
 */
export function fuzzInput(schema: unknown, hints: Hints): fc.Arbitrary<unknown> {
  const valid = arbitraryFor(schema, hints)
  const bent = fc
    .tuple(valid, fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), fc.nat(3))
    .map(([v, key, junk, how]) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return junk
      const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) }
      const keys = Object.keys(copy)
      if (how === 0 && keys.length) delete copy[keys[0]!]
      else if (how === 1) copy[key || 'extra'] = junk
      else if (how === 2 && keys.length) copy[keys[keys.length - 1]!] = junk
      else return { ['__proto__']: junk, constructor: { prototype: junk } }
      return copy
    })
  const junk = fc.oneof(fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }))
  return fc.oneof(
    { weight: 16, arbitrary: valid },
    { weight: 2, arbitrary: bent },
    { weight: 1, arbitrary: junk },
  )
}
