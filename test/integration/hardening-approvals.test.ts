import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { APPROVAL_LOCK_MINUTES } from '../../src/main/services/approvals'
import { approvalBy, customerIn, deviceShows, login, stockToken } from '../support/counter'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
  await login(app, 'teller-pc', 'T001')
  await login(app, 'sup-window', 'S001')
})
afterEach(() => app.close())

async function waiverWith(approval: unknown) {
  const cif = await customerIn(app, 'not_applied')
  const serial = stockToken('totp')
  await app.invoke('teller-pc', 'issuance.verifyDevice', { cif, serial, otp: await deviceShows(app, serial) })
  return app.invoke('teller-pc', 'issuance.issue', {
    cif,
    serial,
    identity: { kind: 'passport', last4: 'AB12' },
    payment: { method: 'waiver', reason: '初期不良', approval },
  })
}

describe('the approval lock (separate from the supervisor’s login)', () => {
  it('five wrong codes lock approvals at this PC only; the supervisor stays logged in and can log in', async () => {
    for (let i = 0; i < 4; i++) {
      expect(await waiverWith({ ...approvalBy(app, 'S001'), totp: '000000' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_OTP' },
      })
    }
    expect(await waiverWith({ ...approvalBy(app, 'S001'), password: 'wrong-one' })).toMatchObject({
      ok: false,
      error: { code: 'APPROVAL_LOCKED' },
    })
    // Even a correct approval is refused while the approval lock holds.
    expect(await waiverWith(approvalBy(app, 'S001'))).toMatchObject({
      ok: false,
      error: { code: 'APPROVAL_LOCKED' },
    })
    // The supervisor's login counter is untouched, their open session still works, and they can log in.
    const staff = await app.services.db('staff').where({ staff_id: 'S001' }).first()
    expect(staff).toMatchObject({ failed_logins: 0, locked_until: null })
    expect(await app.invoke('sup-window', 'approvals.inbox', {})).toMatchObject({ ok: true })
    expect(
      await app.invoke('other-pc', 'auth.login', { staffId: 'S001', password: 'demo-S001' }),
    ).toMatchObject({ ok: true })
    // The attempts are in the audit, made by the teller at the PC, about the supervisor.
    const audit = await app.services.db('audit').whereIn('action', ['approval.failed', 'approval.locked'])
    expect(audit).toHaveLength(5)
    expect(audit.every((r) => r.actor === 'T001' && r.entity_key === 'S001')).toBe(true)
  })

  it('times out on its own clock, and a good approval resets the count', async () => {
    for (let i = 0; i < 5; i++) await waiverWith({ ...approvalBy(app, 'S001'), totp: '000000' })
    app.clock.advance(APPROVAL_LOCK_MINUTES * 60_000 + 1000)
    await login(app, 'teller-pc', 'T001')
    await waiverWith({ ...approvalBy(app, 'S001'), totp: '000000' })
    expect(await app.services.db('approval_locks').where({ staff_id: 'S001' }).first()).toMatchObject({
      failed_attempts: 1,
      locked_until: null,
    })
    expect(await waiverWith(approvalBy(app, 'S001'))).toMatchObject({ ok: true })
    expect(await app.services.db('approval_locks').where({ staff_id: 'S001' }).first()).toBeUndefined()
  })

  it('a supervisor whose login is locked cannot approve', async () => {
    for (let i = 0; i < 5; i++)
      await app.invoke('x', 'auth.login', { staffId: 'S001', password: `wrong-${i}` })
    expect(await waiverWith(approvalBy(app, 'S001'))).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_LOCKED' },
    })
  })
})
