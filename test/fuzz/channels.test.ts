import { mkdirSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channels, type ChannelName } from '../../src/shared/contract'
import { issueHard, login, stockToken } from '../support/counter'
import { tempApp, type TempApp } from '../support/tempApp'
import { fuzzChannel, prepareFuzz, type ChannelFigures, type FuzzBench } from './channelFuzz'

/** Inputs per channel: a short run in CI; `npm run test:fuzz` sets FUZZ_RUNS=1000. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25)
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261127)

let app: TempApp
let bench: FuzzBench
const figures: ChannelFigures[] = []

beforeAll(async () => {
  app = await tempApp()
  // A few requests and receipts to start from, so channels that name one find it.
  await login(app, 'seed', 'T001')
  const inUse = await app.services
    .db('customers')
    .where({ otp_status: 'in_use' })
    .orderBy('cif')
    .limit(6)
    .pluck('cif')
  for (const [i, cif] of inUse.entries())
    await app.invoke('seed', 'revocations.request', {
      cif,
      channel: 'in_person',
      reason: i % 2 ? 'lost' : 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
    })
  const fresh = await app.services
    .db('customers')
    .where({ otp_status: 'not_applied' })
    .orderBy('cif')
    .limit(3)
    .pluck('cif')
  for (const [i, cif] of fresh.entries())
    await issueHard(app, 'seed', cif, stockToken('totp', i), { method: 'cash', tenderedYen: 1100 })
  bench = await prepareFuzz(app.services.db)
}, 120_000)
afterAll(async () => {
  await app.close()
  if (process.env['FUZZ_REPORT']) {
    mkdirSync('.tmp', { recursive: true })
    writeFileSync(process.env['FUZZ_REPORT'], JSON.stringify({ runs: RUNS, seed: SEED, figures }, null, 2))
  }
})

describe(`every channel through the handler table, ${RUNS} fuzz inputs each`, () => {
  // Sign-in and session channels last: they end the fuzzer's own sessions most often.
  const names = (Object.keys(channels) as ChannelName[]).sort(
    (a, b) => Number(a.startsWith('auth.')) - Number(b.startsWith('auth.')) || a.localeCompare(b),
  )
  it.each(names)(
    '%s answers a success or a typed error, never INTERNAL',
    async (name) => {
      const f = await fuzzChannel(app, name, RUNS, bench, SEED)
      figures.push(f)
      expect(f.tried).toBe(RUNS)
    },
    RUNS * 1200 + 60_000,
  )

  it('the desk still answers after all of it', async () => {
    expect(await app.invoke('after-fuzz', 'app.status', {})).toMatchObject({ ok: true })
  })

  it('most inputs reached a service', () => {
    const tried = figures.reduce((n, f) => n + f.tried, 0)
    const reached = figures.reduce((n, f) => n + f.reachedService, 0)
    expect(reached / tried).toBeGreaterThan(0.6)
  })
})
