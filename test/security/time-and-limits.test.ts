import { authenticator } from 'otplib'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DEMO_SUPERVISOR_TOTP } from '../../src/core/demo/generator'
import { acceptedSteps, MAX_CLOCK_SKEW_SECONDS } from '../../src/shared/otpWindow'
import { channels } from '../../src/shared/contract'
import { approvalBy, issueHard, login, stockToken } from '../support/counter'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

const STEP = 30_000
/** A step boundary, so offsets are exact. */
const T0 = Math.floor(Date.parse('2026-11-25T01:00:00Z') / STEP) * STEP

describe('OTP clock skew: within ±29 s accepted, beyond refused', () => {
  it('the window is the steps that ±29 s overlaps', () => {
    expect(MAX_CLOCK_SKEW_SECONDS).toBe(29)
    const k = T0 / STEP
    expect(acceptedSteps(T0, 30)).toEqual({ from: k - 1, to: k })
    expect(acceptedSteps(T0 + 1000, 30)).toEqual({ from: k - 1, to: k + 1 })
    expect(acceptedSteps(T0 + 15_000, 30)).toEqual({ from: k - 1, to: k + 1 })
    expect(acceptedSteps(T0 + 29_000, 30)).toEqual({ from: k, to: k + 1 })
  })

  it('a supervisor’s approval code: 29 s off accepted, 31 s off (at a step boundary) refused', async () => {
    app = await tempApp()
    app.clock.set(new Date(T0))
    await login(app, 'pc', 'T001')
    const codeAt = (offsetS: number) =>
      authenticator
        .clone({ epoch: app!.clock.now().getTime() + offsetS * 1000 })
        .generate(DEMO_SUPERVISOR_TOTP)
    const waiver = (totp: string, i: number) =>
      app!.services
        .db('customers')
        .where({ otp_status: 'not_applied' })
        .orderBy('cif')
        .offset(i)
        .first()
        .then((c) =>
          issueHard(app!, 'pc', c.cif, stockToken('totp', i), {
            method: 'waiver',
            reason: '初期不良',
            approval: { staffId: 'S001', password: 'demo-S001', totp },
          }),
        )
    expect(await waiver(codeAt(31), 0)).toMatchObject({ ok: false, error: { code: 'INVALID_OTP' } })
    expect(await waiver(codeAt(-31), 1)).toMatchObject({ ok: false, error: { code: 'INVALID_OTP' } })
    expect(await waiver(codeAt(-29), 2)).toMatchObject({ ok: true })
  })
})

describe('midnight in Japan', () => {
  it('receipt numbers and the teller’s day turn over at 00:00 JST (15:00 UTC), not UTC midnight', async () => {
    app = await tempApp()
    app.clock.set(new Date('2026-11-25T14:59:00Z')) // 23:59 JST
    await login(app, 'pc', 'T001')
    const cifs = await app.services
      .db('customers')
      .where({ otp_status: 'not_applied' })
      .orderBy('cif')
      .limit(2)
      .pluck('cif')
    const before = await issueHard(app, 'pc', cifs[0], stockToken('totp', 0), {
      method: 'cash',
      tenderedYen: 1100,
    })
    expect(before).toMatchObject({
      ok: true,
      value: { receipt: { receiptNo: expect.stringMatching(/-20261125-0001$/) } },
    })
    app.clock.advance(60_000) // 00:00 JST on the 26th
    await login(app, 'pc', 'T001')
    const after = await issueHard(app, 'pc', cifs[1], stockToken('totp', 1), {
      method: 'cash',
      tenderedYen: 1100,
    })
    expect(after).toMatchObject({
      ok: true,
      value: { receipt: { receiptNo: expect.stringMatching(/-20261126-0001$/) } },
    })
    const today = await app.invoke('pc', 'ledger.day', {})
    expect(today).toMatchObject({ ok: true, value: { businessDate: '2026-11-26', feeCount: 1 } })
    const yesterday = await app.invoke('pc', 'ledger.day', { businessDate: '2026-11-25' })
    expect(yesterday).toMatchObject({ ok: true, value: { businessDate: '2026-11-25', feeCount: 1 } })
    // Closing after midnight closes the new day; the old day's cash stays in the old day.
    const closed = await app.invoke('pc', 'ledger.closeDay', {
      countedYen: 1100,
      approval: approvalBy(app, 'S001'),
    })
    expect(closed).toMatchObject({ ok: true, value: { businessDate: '2026-11-26', expectedCashYen: 1100 } })
  })
})

/** Every string a caller can send has an upper bound: a max length, or an anchored pattern without +, *. */
function unboundedStrings(schema: unknown, path: string, out: string[]): void {
  const def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def
  const type = def['type'] as string
  const inner = (key: string) => unboundedStrings(def[key], path, out)
  if (type === 'string') {
    const checks = ((def['checks'] ?? []) as { _zod: { def: Record<string, unknown> } }[]).map(
      (c) => c._zod.def,
    )
    const hasMax = checks.some((c) => c['check'] === 'max_length' || c['check'] === 'length_equals')
    const boundedPattern = checks.some((c) => {
      const p = c['pattern'] as RegExp | undefined
      return !!p && p.source.startsWith('^') && p.source.endsWith('$') && !/[+*]|\{\d+,\}/.test(p.source)
    })
    if (!hasMax && !boundedPattern) out.push(path)
  } else if (type === 'object') {
    for (const [k, v] of Object.entries(def['shape'] as Record<string, unknown>))
      unboundedStrings(v, `${path}.${k}`, out)
  } else if (type === 'optional' || type === 'nullable' || type === 'default') inner('innerType')
  else if (type === 'pipe') inner('in')
  else if (type === 'array') {
    const max = ((def['checks'] ?? []) as { _zod: { def: Record<string, unknown> } }[]).some(
      (c) => c._zod.def['check'] === 'max_length',
    )
    if (!max) out.push(`${path}[] (array without a maximum)`)
    unboundedStrings(def['element'], `${path}[]`, out)
  } else if (type === 'union') (def['options'] as unknown[]).forEach((o) => unboundedStrings(o, path, out))
}

describe('bounded inputs', () => {
  it('every string and list in every channel’s input has an upper bound', () => {
    const probe: string[] = []
    unboundedStrings(
      z.object({ a: z.string(), b: z.string().regex(/^[0-9]+$/), c: z.string().max(4) }),
      'x',
      probe,
    )
    expect(probe).toEqual(['x.a', 'x.b'])
    const out: string[] = []
    for (const [name, spec] of Object.entries(channels)) unboundedStrings(spec.input, name, out)
    expect(out).toEqual([])
  })

  it('page numbers are bounded and page sizes are fixed by the service', () => {
    expect(channels['customers.search'].input.safeParse({ query: '1000001', page: 1001 }).success).toBe(false)
    expect(channels['audit.list'].input.safeParse({ page: 10_001 }).success).toBe(false)
    expect(channels['customers.search'].input.safeParse({ query: '1000001', pageSize: 10_000 }).success).toBe(
      false,
    )
  })
})
