import { authenticator } from 'otplib'
import { expect } from 'vitest'
import { DEMO_SUPERVISOR_TOTP, generateDemoBank } from '../../src/core/demo/generator'
import { deviceOtpNow } from '../../src/core/domain/deviceOtp'
import type { TempApp } from './tempApp'

/** Anything with a branch app's services, clock and handler table: a temp app or a PC of a branch. */
type Desk = Pick<TempApp, 'services' | 'clock' | 'invoke'>

const bank = generateDemoBank()

/** The seed the demo generator gave a stock token (what the physical device holds). */
export function demoSeed(serial: string): Buffer {
  const token = bank.stock.find((s) => s.serial === serial)
  if (!token) throw new Error(`${serial} is not a demo stock token`)
  return token.seed
}

export const demoStock = bank.stock

/** What the device with this serial shows now, given the counter the branch has recorded. */
export async function deviceShows(app: Desk, serial: string): Promise<string> {
  const row = await app.services.db('inventory').where({ serial }).first()
  return deviceOtpNow(
    { algorithm: row.algorithm, digits: row.digits, period: row.period, counter: row.counter },
    demoSeed(serial),
    app.clock.now(),
  )
}

/** A supervisor's approval with the code their authenticator shows at the app's clock. */
export function approvalBy(app: Desk, staffId: string, password = `demo-${staffId}`) {
  const totp = authenticator.clone({ epoch: app.clock.now().getTime() }).generate(DEMO_SUPERVISOR_TOTP)
  return { staffId, password, totp }
}

export async function login(app: Desk, client: string, staffId: string): Promise<void> {
  const result = await app.invoke(client, 'auth.login', { staffId, password: `demo-${staffId}` })
  expect(result.ok).toBe(true)
}

export async function customerIn(app: Desk, status: string): Promise<string> {
  const row = await app.services.db('customers').where({ otp_status: status }).orderBy('cif').first()
  return row.cif
}

/** The first stock token of the given algorithm. */
export function stockToken(algorithm: 'hotp' | 'totp', index = 0): string {
  return bank.stock.filter((s) => s.algorithm === algorithm)[index]!.serial
}

/** Verifies the device and issues with the given payment; returns the invoke result of the issue. */
export async function issueHard(app: Desk, client: string, cif: string, serial: string, payment: unknown) {
  const verified = await app.invoke(client, 'issuance.verifyDevice', {
    cif,
    serial,
    otp: await deviceShows(app, serial),
  })
  expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true })
  return app.invoke(client, 'issuance.issue', {
    cif,
    serial,
    identity: { kind: 'drivers_license', last4: '1234' },
    payment,
  })
}
