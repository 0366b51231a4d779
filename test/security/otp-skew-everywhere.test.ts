import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { authenticator } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkHqSignIn, DEMO_HQ_TOTP } from '../../src/central/hqStaff'
import { authenticatorStep } from '../../src/core/security/authenticatorCode'
import { deviceOtpNow } from '../../src/core/domain/deviceOtp'
import { customerIn, demoSeed, login, stockToken } from '../support/counter'
import { describeSkew, skewCases } from '../support/clockSkew'
import { startConsoleCentral, testClock, type ConsoleCentral } from '../support/consoleCentral'
import { tempApp, type TempApp } from '../support/tempApp'

/** A step boundary of both 30 s and 60 s steps, so each case's offsets are exact. */
const BOUNDARY = Math.floor(Date.parse('2026-11-25T01:00:00Z') / 60_000) * 60_000
const CASES = skewCases(BOUNDARY)

const authenticatorCodeAt = (secret: string, ms: number) =>
  authenticator.clone({ epoch: ms }).generate(secret)

describe('every time-based code is checked with the same ±29 s (src/shared/otpWindow.ts)', () => {
  it('no code outside the helper checks a time-based code with its own window', () => {
    const offenders: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else if (/\.(ts|vue)$/.test(name) && !path.endsWith(join('security', 'authenticatorCode.ts'))) {
          const text = readFileSync(path, 'utf8')
          if (/\.check(Delta)?\(|\.verify\(\{|window\s*:\s*\d/.test(text) && /otplib/.test(text))
            offenders.push(path)
        }
      }
    }
    walk('src')
    expect(offenders).toEqual([])
  })

  describe('authenticator codes (supervisors at the branch, HQ people at central)', () => {
    for (const c of CASES) {
      it(describeSkew(c), () => {
        const step = authenticatorStep(
          DEMO_HQ_TOTP,
          authenticatorCodeAt(DEMO_HQ_TOTP, c.deviceMs),
          new Date(c.deskMs),
        )
        expect(step).toBe(c.accepted ? Math.floor(c.deviceMs / 30_000) : null)
      })
    }
  })
})

describe('at the branch, through the handler table', () => {
  let app: TempApp
  beforeAll(async () => {
    app = await tempApp()
  })
  afterAll(() => app.close())

  it('a supervisor confirming their authenticator at enrolment', async () => {
    for (const c of CASES) {
      app.clock.set(new Date(c.deskMs))
      await login(app, `enrol-${c.skewSeconds}`, 'S002')
      const start = await app.invoke(`enrol-${c.skewSeconds}`, 'auth.totpEnrolStart', {})
      if (!start.ok) throw new Error(start.error.message)
      const { secret } = start.value as { secret: string }
      const confirmed = await app.invoke(`enrol-${c.skewSeconds}`, 'auth.totpEnrolConfirm', {
        code: authenticatorCodeAt(secret, c.deviceMs),
        currentPassword: 'demo-S002',
      })
      expect(confirmed, describeSkew(c)).toMatchObject(
        c.accepted ? { ok: true } : { ok: false, error: { code: 'INVALID_OTP' } },
      )
    }
  })

  it('a hard token (TOTP) checked before it is handed over', async () => {
    for (const [i, c] of CASES.entries()) {
      app.clock.set(new Date(c.deskMs))
      await login(app, `device-${i}`, 'T001')
      const serial = stockToken('totp', i)
      const row = await app.services.db('inventory').where({ serial }).first()
      const otp = deviceOtpNow(
        { algorithm: 'totp', digits: row.digits, period: row.period, counter: 0 },
        demoSeed(serial),
        new Date(c.deviceMs),
      )
      const answer = await app.invoke(`device-${i}`, 'issuance.verifyDevice', {
        cif: await customerIn(app, 'not_applied'),
        serial,
        otp,
      })
      expect(answer, `${describeSkew(c)} (period ${row.period} s)`).toMatchObject(
        c.accepted ? { ok: true } : { ok: false, error: { code: 'INVALID_OTP' } },
      )
    }
  })
})

describe('at central: an HQ person signing in', () => {
  let central: ConsoleCentral
  beforeAll(async () => {
    central = await startConsoleCentral({ clock: testClock(new Date(BOUNDARY)) })
  })
  afterAll(() => central.close())

  for (const c of CASES) {
    it(describeSkew(c), async () => {
      // A fresh person each time: no step used yet, no failures counted.
      await central
        .db('hq_staff')
        .where({ staff_id: 'HQ001' })
        .update({ totp_last_step: null, failed_logins: 0 })
      const attempt = checkHqSignIn(
        central.db,
        central.secretBox,
        { staffId: 'HQ001', password: 'demo-HQ001', code: authenticatorCodeAt(DEMO_HQ_TOTP, c.deviceMs) },
        new Date(c.deskMs),
      )
      if (c.accepted) await expect(attempt).resolves.toMatchObject({ stage: 'signed_in' })
      else await expect(attempt).rejects.toMatchObject({ code: 'INVALID_OTP' })
    })
  }
})
