import { mkdirSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { crashSoak } from '../support/crashSoak'

/** CI runs a short soak; `npm run test:crash-soak` runs 20 rounds over 10,000 mutations. */
const MUTATIONS = Number(process.env['SOAK_MUTATIONS'] ?? 300)
const ROUNDS = Number(process.env['SOAK_ROUNDS'] ?? 4)

describe(`crash soak: ${MUTATIONS} mutations, ${ROUNDS} rounds of SIGKILL`, () => {
  it('applies every mutation exactly once at central and drains the outbox', async () => {
    const figures = await crashSoak({
      mutations: MUTATIONS,
      rounds: ROUNDS,
      maxKillMs: Number(process.env['SOAK_MAX_KILL_MS'] ?? 2500),
    })
    if (process.env['SOAK_REPORT']) {
      mkdirSync('.tmp', { recursive: true })
      writeFileSync(process.env['SOAK_REPORT'], JSON.stringify(figures, null, 2))
    }
    expect(figures).toMatchObject({
      lost: 0,
      duplicatesAtCentral: 0,
      rejected: 0,
      distinctIds: MUTATIONS,
      appliedAtCentral: MUTATIONS,
      outboxAfter: 0,
      // Requests and withdrawals alternate: each landed once, so each request exists once and the
      // withdrawn ones are exactly the withdrawals.
      requestsAtCentral: Math.ceil(MUTATIONS / 2),
      withdrawnAtCentral: Math.floor(MUTATIONS / 2),
    })
    expect(figures.branchKills + figures.centralKills).toBeGreaterThan(0)
  }, 3_600_000)
})
