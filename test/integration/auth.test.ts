import { authenticator } from 'otplib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/core/auditChain'
import { BUSINESS_TABLES, snapshot, tempApp, type TempApp } from '../support/tempApp'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
})
afterEach(() => app.close())

const login = (staffId: string, password: string, client = 'pc') =>
  app.invoke(client, 'auth.login', { staffId, password })

describe('login and lockout', () => {
  it('logs a teller in with the right password and audits it', async () => {
    expect(await login('T001', 'demo-T001')).toMatchObject({
      ok: true,
      value: { staffId: 'T001', role: 'teller' },
    })
    expect(await app.services.db('audit').where({ action: 'auth.login', actor: 'T001' })).toHaveLength(1)
  })

  it('gives the same answer for an unknown staff ID as for a wrong password', async () => {
    const unknown = await login('T999', 'demo-T001')
    const wrong = await login('T001', 'nope')
    expect(unknown).toEqual(wrong)
    expect(wrong).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } })
  })

  it('locks the account after 5 wrong passwords, refuses the right one, and unlocks after 15 minutes', async () => {
    for (let i = 0; i < 4; i++) {
      expect(await login('T001', `wrong-${i}`)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_CREDENTIALS' },
      })
    }
    expect(await login('T001', 'wrong-5')).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED' } })
    expect(await login('T001', 'demo-T001')).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED' } })

    app.clock.advanceMinutes(14)
    expect(await login('T001', 'demo-T001')).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED' } })
    app.clock.advanceMinutes(1)
    expect(await login('T001', 'demo-T001')).toMatchObject({ ok: true })

    const staff = await app.services.db('staff').where({ staff_id: 'T001' }).first()
    expect(staff).toMatchObject({ failed_logins: 0, locked_until: null })
    expect(await app.services.db('audit').where({ action: 'auth.account_locked' })).toHaveLength(1)
  })

  it('does not let a locked-out attempt change the lock', async () => {
    for (let i = 0; i < 5; i++) await login('T002', `wrong-${i}`)
    const before = await snapshot(app.services.db)
    await login('T002', 'still-wrong')
    expect(await snapshot(app.services.db)).toBe(before)
  })

  it('resets the count after a good password', async () => {
    for (let i = 0; i < 4; i++) await login('T001', `wrong-${i}`)
    expect(await login('T001', 'demo-T001')).toMatchObject({ ok: true })
    expect(await login('T001', 'wrong-again')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' },
    })
  })
})

describe('idle screen lock', () => {
  it('locks after 5 idle minutes; only the same user’s password unlocks', async () => {
    await login('T001', 'demo-T001')
    app.clock.advanceMinutes(4)
    expect(await app.invoke('pc', 'customers.getByCif', { cif: '1000001' })).toMatchObject({ ok: true })
    app.clock.advanceMinutes(5)
    expect(await app.invoke('pc', 'customers.getByCif', { cif: '1000001' })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_LOCKED' },
    })
    expect(await app.invoke('pc', 'auth.session', {})).toMatchObject({ ok: true, value: { locked: true } })
    expect(await app.invoke('pc', 'auth.unlock', { password: 'demo-T002' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' },
    })
    expect(await app.invoke('pc', 'auth.unlock', { password: 'demo-T001' })).toMatchObject({
      ok: true,
      value: { locked: false },
    })
    expect(await app.invoke('pc', 'customers.getByCif', { cif: '1000001' })).toMatchObject({ ok: true })
  })

  it('locks at once when asked, and counts wrong unlock passwords toward the lockout', async () => {
    await login('T001', 'demo-T001')
    expect(await app.invoke('pc', 'auth.lock', {})).toMatchObject({ ok: true, value: { locked: true } })
    for (let i = 0; i < 4; i++) await app.invoke('pc', 'auth.unlock', { password: `wrong-${i}` })
    expect(await app.invoke('pc', 'auth.unlock', { password: 'wrong-5' })).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_LOCKED' },
    })
    // The lockout ends the session: the next call asks for a login.
    expect(await app.invoke('pc', 'auth.session', {})).toEqual({ ok: true, value: null })
  })

  it('follows the admin’s setting', async () => {
    await login('A001', 'demo-A001', 'admin-pc')
    await app.invoke('admin-pc', 'settings.update', { idleLockSeconds: 120 })
    await login('T001', 'demo-T001')
    app.clock.advance(119_000)
    expect(await app.invoke('pc', 'auth.heartbeat', {})).toMatchObject({ ok: true })
    app.clock.advance(120_000)
    expect(await app.invoke('pc', 'auth.heartbeat', {})).toMatchObject({
      ok: false,
      error: { code: 'SESSION_LOCKED' },
    })
  })
})

describe('password change', () => {
  it('changes the password; the old one stops working', async () => {
    await login('T001', 'demo-T001')
    const result = await app.invoke('pc', 'auth.changePassword', {
      currentPassword: 'demo-T001',
      newPassword: 'Counter-2026',
    })
    expect(result).toEqual({ ok: true, value: {} })
    expect(await login('T001', 'demo-T001', 'pc2')).toMatchObject({ ok: false })
    expect(await login('T001', 'Counter-2026', 'pc3')).toMatchObject({ ok: true })
  })

  it('refuses a weak password or a wrong current one, changing nothing', async () => {
    await login('T001', 'demo-T001')
    const before = await snapshot(app.services.db)
    expect(
      await app.invoke('pc', 'auth.changePassword', { currentPassword: 'demo-T001', newPassword: 'short1' }),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION', fields: { newPassword: expect.any(String) } } })
    expect(
      await app.invoke('pc', 'auth.changePassword', {
        currentPassword: 'demo-T001',
        newPassword: 'demo-T001',
      }),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await snapshot(app.services.db)).toBe(before)
  })
})

describe('supervisor TOTP enrolment', () => {
  it('stores the secret sealed, only after a good code', async () => {
    await login('S001', 'demo-S001')
    const start = await app.invoke('pc', 'auth.totpEnrolStart', {})
    if (!start.ok) throw new Error(start.error.message)
    const { secret, otpauthUrl, qrDataUrl } = start.value as {
      secret: string
      otpauthUrl: string
      qrDataUrl: string
    }
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/Token%20Desk:S001\?secret=/)
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/)

    const before = await snapshot(app.services.db)
    const wrong = await app.invoke('pc', 'auth.totpEnrolConfirm', {
      code: '000000',
      currentPassword: 'demo-S001',
    })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'INVALID_OTP' } })
    expect(await snapshot(app.services.db)).toBe(before)

    const code = authenticator.clone({ epoch: app.clock.now().getTime() }).generate(secret)
    app.clock.advance(30_000) // 30 s later: the code’s step still overlaps the last 29 s
    const done = await app.invoke('pc', 'auth.totpEnrolConfirm', { code, currentPassword: 'demo-S001' })
    expect(done).toMatchObject({ ok: true, value: { totpEnrolled: true } })
    // The outbox keeps the secret and the password sealed: neither is readable at rest.
    const queued = JSON.stringify(await app.services.db('outbox').where({ name: 'staff.enrol_totp' }))
    expect(queued).toContain('staff.enrol_totp')
    expect(queued).not.toContain(secret)
    expect(queued).not.toContain('demo-S001')

    const row = await app.services.db('staff').where({ staff_id: 'S001' }).first()
    expect(row.totp_secret_sealed).toMatch(/^v1\./)
    expect(row.totp_secret_sealed).not.toContain(secret)
    expect(await verifyAuditChain(app.services.db, 'audit')).toMatchObject({ ok: true })
  })

  it('refuses a code two steps old', async () => {
    await login('S001', 'demo-S001')
    const start = await app.invoke('pc', 'auth.totpEnrolStart', {})
    if (!start.ok) throw new Error(start.error.message)
    const secret = (start.value as { secret: string }).secret
    const code = authenticator.clone({ epoch: app.clock.now().getTime() }).generate(secret)
    app.clock.advance(61_000)
    expect(
      await app.invoke('pc', 'auth.totpEnrolConfirm', { code, currentPassword: 'demo-S001' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_OTP' },
    })
  })
})

describe('supervisor TOTP enrolment needs the supervisor’s password', () => {
  const enrolmentTables = BUSINESS_TABLES.filter((t) => t !== 'staff' && t !== 'audit').concat([
    'outbox',
    'rebase_undo',
  ])
  /** The staff row without the lockout counter (which a wrong password is meant to change). */
  const credentials = async (staffId: string): Promise<Record<string, unknown>> => {
    const row = await app.services.db('staff').where({ staff_id: staffId }).first()
    for (const counter of ['failed_logins', 'locked_until', 'updated_at']) delete row[counter]
    return row
  }
  async function started(): Promise<string> {
    await login('S001', 'demo-S001')
    const start = await app.invoke('pc', 'auth.totpEnrolStart', {})
    if (!start.ok) throw new Error(start.error.message)
    return (start.value as { secret: string }).secret
  }
  const codeFor = (secret: string) =>
    authenticator.clone({ epoch: app.clock.now().getTime() }).generate(secret)

  it('refuses a wrong password with nothing enrolled, and counts it like a wrong password at unlock', async () => {
    const secret = await started()
    const before = await snapshot(app.services.db, enrolmentTables)
    const staffBefore = await credentials('S001')
    const auditBefore = await app.services.db('audit').count({ n: '*' })
    const wrong = await app.invoke('pc', 'auth.totpEnrolConfirm', {
      code: codeFor(secret),
      currentPassword: 'not-my-password',
    })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } })
    // Nothing of the enrolment: no outbox row, no enrolment audit row, the authenticator columns unchanged.
    expect(await snapshot(app.services.db, enrolmentTables)).toBe(before)
    expect(await credentials('S001')).toEqual(staffBefore)
    expect(await app.services.db('outbox').where({ name: 'staff.enrol_totp' })).toEqual([])
    expect(await app.services.db('audit').where({ action: 'staff.totp_enrol' })).toEqual([])
    // Only the lockout's own record: the counter and one failed-attempt audit row, as unlock writes.
    const failed = await app.services.db('audit').where({ action: 'auth.totp_enrol_failed' })
    expect(failed).toHaveLength(1)
    expect(await app.services.db('audit').count({ n: '*' })).toEqual([
      { n: Number(auditBefore[0]!['n']) + 1 },
    ])
    expect(await app.services.db('staff').where({ staff_id: 'S001' }).first()).toMatchObject({
      failed_logins: 1,
      totp_enrolled_at: staffBefore['totp_enrolled_at'],
    })

    // The same enrolment goes through with the right password, and the count starts again.
    const done = await app.invoke('pc', 'auth.totpEnrolConfirm', {
      code: codeFor(secret),
      currentPassword: 'demo-S001',
    })
    expect(done).toMatchObject({ ok: true, value: { totpEnrolled: true } })
    expect(await app.services.db('staff').where({ staff_id: 'S001' }).first()).toMatchObject({
      failed_logins: 0,
    })
    expect(await app.services.db('outbox').where({ name: 'staff.enrol_totp' })).toHaveLength(1)
    expect(await verifyAuditChain(app.services.db, 'audit')).toMatchObject({ ok: true })
  })

  it('locks the account after five wrong passwords here, as at login, and enrols nothing', async () => {
    const secret = await started()
    const staffBefore = await credentials('S001')
    for (let i = 0; i < 4; i++) {
      expect(
        await app.invoke('pc', 'auth.totpEnrolConfirm', { code: codeFor(secret), currentPassword: `x-${i}` }),
      ).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } })
    }
    expect(
      await app.invoke('pc', 'auth.totpEnrolConfirm', { code: codeFor(secret), currentPassword: 'x-5' }),
    ).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED' } })
    // The session ended with the lock; the login is refused until the lock runs out.
    expect(
      await app.invoke('pc', 'auth.totpEnrolConfirm', {
        code: codeFor(secret),
        currentPassword: 'demo-S001',
      }),
    ).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
    expect(await login('S001', 'demo-S001')).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED' } })
    expect(await credentials('S001')).toEqual(staffBefore)
    expect(await app.services.db('outbox').where({ name: 'staff.enrol_totp' })).toEqual([])
  })

  it('locks after five wrong passwords sent all at once (a script cannot outrun the count)', async () => {
    const secret = await started()
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.invoke('pc', 'auth.totpEnrolConfirm', { code: codeFor(secret), currentPassword: `guess-${i}` }),
      ),
    )
    const codes = answers.map((a) => (a.ok ? 'OK' : a.error.code))
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('INVALID_CREDENTIALS'))
    expect(codes[4]).toBe('ACCOUNT_LOCKED')
    expect(codes.filter((c) => c === 'OK')).toEqual([])
    expect((await app.services.db('staff').where({ staff_id: 'S001' }).first()).locked_until).not.toBeNull()
    expect(await app.services.db('outbox').where({ name: 'staff.enrol_totp' })).toEqual([])
  })

  it('refuses a missing password as VALIDATION, before anything is checked', async () => {
    const secret = await started()
    const before = await snapshot(app.services.db, [...BUSINESS_TABLES, 'outbox'])
    expect(await app.invoke('pc', 'auth.totpEnrolConfirm', { code: codeFor(secret) })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { currentPassword: expect.any(String) } },
    })
    expect(await snapshot(app.services.db, [...BUSINESS_TABLES, 'outbox'])).toBe(before)
  })
})

describe('audit chain', () => {
  it('links every row written by logins, failures and changes', async () => {
    await login('T001', 'wrong')
    await login('T001', 'demo-T001')
    await app.invoke('pc', 'auth.logout', {})
    const verdict = await verifyAuditChain(app.services.db, 'audit')
    expect(verdict).toEqual({ ok: true, rows: 4 })
  })
})
