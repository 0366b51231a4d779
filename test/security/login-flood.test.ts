import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempApp, type TempApp } from '../support/tempApp'

/** CI floods with 40 attempts; HARDENING_FULL=1 (npm run test:hardening-full) with 1,000. */
const ATTEMPTS = Number(process.env['LOGIN_FLOOD'] ?? (process.env['HARDENING_FULL'] ? 1000 : 40))

let app: TempApp
beforeAll(async () => {
  app = await tempApp()
})
afterAll(() => app.close())

async function timedLogin(staffId: string, client: string): Promise<number> {
  const started = performance.now()
  const result = await app.invoke(client, 'auth.login', { staffId, password: `demo-${staffId}` })
  expect(result.ok).toBe(true)
  return performance.now() - started
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

describe(`${ATTEMPTS} login attempts against one account`, () => {
  it(
    'lock that account and slow no other account',
    async () => {
      const baseline: number[] = []
      for (let i = 0; i < 5; i++) baseline.push(await timedLogin('T002', `base-${i}`))

      // The flood: all at once, as a script at a teller's PC would send them.
      const floodStarted = performance.now()
      const flood = Array.from({ length: ATTEMPTS }, (_, i) =>
        app.invoke(`flood-${i}`, 'auth.login', { staffId: 'T001', password: `guess-${i}` }),
      )
      const during: number[] = []
      for (let i = 0; i < 5; i++) during.push(await timedLogin('T002', `during-${i}`))
      const answers = await Promise.all(flood)
      const floodMs = performance.now() - floodStarted

      const codes = answers.map((a) => (a.ok ? 'OK' : a.error.code))
      expect(codes.filter((c) => c === 'OK')).toHaveLength(0)
      expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(4)
      expect(codes.filter((c) => c === 'ACCOUNT_LOCKED')).toHaveLength(ATTEMPTS - 4)
      const staff = await app.services.db('staff').where({ staff_id: 'T001' }).first()
      expect(staff.locked_until).not.toBeNull()
      // Even the right password is refused while locked.
      expect(await app.invoke('x', 'auth.login', { staffId: 'T001', password: 'demo-T001' })).toMatchObject({
        ok: false,
        error: { code: 'ACCOUNT_LOCKED' },
      })
      // Another account's login during the flood did not wait behind it: it took a small multiple of its
      // usual time (the CPU is shared), not a share of the flood's, which grows with the attempts.
      console.log(
        `[login-flood] ${ATTEMPTS} attempts over ${floodMs.toFixed(0)} ms; T002 login median ${median(baseline).toFixed(0)} ms before, ${median(during).toFixed(0)} ms during`,
      )
      expect(median(during)).toBeLessThan(median(baseline) * 4 + 300)
      expect(median(during)).toBeLessThan(floodMs / 4)
    },
    ATTEMPTS * 1500 + 120_000,
  )
})
