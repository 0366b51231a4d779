import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snapshot, tempApp, type TempApp } from '../support/tempApp'
import { approvalBy, customerIn, deviceShows, issueHard, login, stockToken } from '../support/counter'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
  await login(app, 'pc', 'T001')
})
afterEach(() => app.close())

const COUNTER_TABLES = [
  'customers',
  'tokens',
  'inventory',
  'requests',
  'receipts',
  'ledger_entries',
  'day_closes',
  'outbox',
  'audit',
]

describe('hard-token issuance with a cash fee', () => {
  it('issues, takes ¥1,100, writes receipt, ledger, audit and outbox in one go', async () => {
    const cif = await customerIn(app, 'not_applied')
    const serial = stockToken('totp')
    const result = await issueHard(app, 'pc', cif, serial, { method: 'cash', tenderedYen: 2000 })
    expect(result).toMatchObject({
      ok: true,
      value: {
        receipt: {
          receiptNo: '001-00-20261125-0001',
          amountYen: 1100,
          taxYen: 100,
          netYen: 1000,
          tenderedYen: 2000,
          changeYen: 900,
          serial,
          method: 'cash',
          staffName: '山田 花子',
          bankName: 'みらい山形銀行',
        },
      },
    })
    const db = app.services.db
    expect(await db('customers').where({ cif }).first()).toMatchObject({ otp_status: 'token_issued' })
    expect(await db('inventory').where({ serial }).first()).toMatchObject({ state: 'issued' })
    expect(await db('tokens').where({ cif, serial }).first()).toMatchObject({ kind: 'hard', state: 'issued' })
    expect(await db('ledger_entries').where({ receipt_no: '001-00-20261125-0001' })).toMatchObject([
      { kind: 'fee', amount_yen: 1100, cash_yen: 1100, staff_id: 'T001' },
    ])
    const outbox = await db('outbox').select('*')
    expect(outbox).toHaveLength(1)
    expect(outbox[0].name).toBe('token.issue_hard')
    expect(JSON.parse(outbox[0].args_json)).toMatchObject({
      cif,
      serial,
      fee: { receiptNo: '001-00-20261125-0001', method: 'cash', amountYen: 1100 },
      identity: { kind: 'drivers_license', last4: '1234' },
    })
    const audit = await db('audit').where({ action: 'token.issue_hard', entity_key: cif })
    expect(audit).toHaveLength(1)
    const file = await app.invoke('pc', 'customers.file', { cif })
    expect(file).toMatchObject({
      ok: true,
      value: {
        otpStatus: 'token_issued',
        token: { kind: 'hard', serial, state: 'issued' },
        requests: [{ kind: 'hard_issuance', state: 'completed', maker: 'T001', detail: { serial } }],
        receipts: [{ receiptNo: '001-00-20261125-0001', voided: false }],
        audit: [{ action: 'token.issue_hard' }],
      },
    })
    expect(JSON.parse(audit[0].before_json)).toEqual({ otpStatus: 'not_applied' })
  })

  it('numbers receipts per branch and business date', async () => {
    const cifs = (
      await app.services.db('customers').where({ otp_status: 'not_applied' }).orderBy('cif').limit(3)
    ).map((c) => c.cif)
    const first = await issueHard(app, 'pc', cifs[0], stockToken('totp', 0), {
      method: 'cash',
      tenderedYen: 1100,
    })
    app.clock.advance(31_000)
    const second = await issueHard(app, 'pc', cifs[1], stockToken('hotp', 0), {
      method: 'cash',
      tenderedYen: 1100,
    })
    // 15:00 UTC is midnight in Japan: a new business date starts the sequence again.
    app.clock.set('2026-11-25T15:00:00Z')
    await app.invoke('pc', 'auth.unlock', { password: 'demo-T001' })
    const third = await issueHard(app, 'pc', cifs[2], stockToken('totp', 1), {
      method: 'cash',
      tenderedYen: 1100,
    })
    expect(
      [first, second, third].map((r) =>
        r.ok ? (r.value as { receipt: { receiptNo: string } }).receipt.receiptNo : r,
      ),
    ).toEqual(['001-00-20261125-0001', '001-00-20261125-0002', '001-00-20261126-0001'])
  })

  it('works with an HOTP device and moves its counter past the OTP used', async () => {
    const cif = await customerIn(app, 'revoked')
    const serial = stockToken('hotp')
    const result = await issueHard(app, 'pc', cif, serial, { method: 'cash', tenderedYen: 1100 })
    expect(result.ok).toBe(true)
    expect(await app.services.db('inventory').where({ serial }).first()).toMatchObject({ counter: 1 })
  })
})

describe('refusals change nothing', () => {
  it('refuses a wrong device OTP', async () => {
    const cif = await customerIn(app, 'not_applied')
    const before = await snapshot(app.services.db, COUNTER_TABLES)
    const result = await app.invoke('pc', 'issuance.verifyDevice', {
      cif,
      serial: stockToken('totp'),
      otp: '00000000',
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_OTP' } })
    expect(await snapshot(app.services.db, COUNTER_TABLES)).toBe(before)
  })

  it('refuses a device OTP that was already used', async () => {
    const cif = await customerIn(app, 'not_applied')
    const serial = stockToken('totp')
    const otp = await deviceShows(app, serial)
    expect(await app.invoke('pc', 'issuance.verifyDevice', { cif, serial, otp })).toMatchObject({ ok: true })
    const before = await snapshot(app.services.db, COUNTER_TABLES)
    expect(await app.invoke('pc', 'issuance.verifyDevice', { cif, serial, otp })).toMatchObject({
      ok: false,
      error: { code: 'OTP_REPLAY' },
    })
    expect(await snapshot(app.services.db, COUNTER_TABLES)).toBe(before)
  })

  it('refuses issuance without a device check', async () => {
    const cif = await customerIn(app, 'not_applied')
    const before = await snapshot(app.services.db, COUNTER_TABLES)
    const result = await app.invoke('pc', 'issuance.issue', {
      cif,
      serial: stockToken('totp'),
      identity: { kind: 'passport', last4: 'AB12' },
      payment: { method: 'cash', tenderedYen: 1100 },
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'DEVICE_NOT_VERIFIED' } })
    expect(await snapshot(app.services.db, COUNTER_TABLES)).toBe(before)
  })

  it('refuses a customer who already holds a live token', async () => {
    for (const status of ['token_issued', 'in_use', 'suspended', 'revocation_pending']) {
      const cif = await customerIn(app, status)
      const before = await snapshot(app.services.db, COUNTER_TABLES)
      const otp = await deviceShows(app, stockToken('totp'))
      const result = await app.invoke('pc', 'issuance.verifyDevice', { cif, serial: stockToken('totp'), otp })
      expect(result, status).toMatchObject({ ok: false, error: { code: 'NOT_ELIGIBLE' } })
      expect(await snapshot(app.services.db, COUNTER_TABLES)).toBe(before)
    }
  })

  it('refuses a serial that is not in stock', async () => {
    const cif = await customerIn(app, 'not_applied')
    const issued = await app.services.db('inventory').where({ state: 'active' }).first()
    const before = await snapshot(app.services.db, COUNTER_TABLES)
    const result = await app.invoke('pc', 'issuance.verifyDevice', {
      cif,
      serial: issued.serial,
      otp: '12345678',
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_IN_STOCK' } })
    expect(await snapshot(app.services.db, COUNTER_TABLES)).toBe(before)
  })

  it('refuses account debit while offline, with an explanation', async () => {
    const cif = await customerIn(app, 'not_applied')
    const serial = stockToken('totp')
    const account = await app.services.db('accounts').where({ cif }).first()
    await app.invoke('pc', 'issuance.verifyDevice', { cif, serial, otp: await deviceShows(app, serial) })
    const before = await snapshot(app.services.db, COUNTER_TABLES)
    const result = await app.invoke('pc', 'issuance.issue', {
      cif,
      serial,
      identity: { kind: 'passport', last4: 'AB12' },
      payment: {
        method: 'account_debit',
        account: `${account.branch_code}-${account.subject}-${account.number}`,
      },
    })
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'OFFLINE', message: expect.stringContaining('central') },
    })
    expect(await snapshot(app.services.db, COUNTER_TABLES)).toBe(before)
    expect(await app.invoke('pc', 'issuance.check', { cif })).toMatchObject({
      ok: true,
      value: { online: false },
    })
  })

  it('refuses cash that does not cover the fee', async () => {
    const cif = await customerIn(app, 'not_applied')
    const serial = stockToken('totp')
    await app.invoke('pc', 'issuance.verifyDevice', { cif, serial, otp: await deviceShows(app, serial) })
    const before = await snapshot(app.services.db, COUNTER_TABLES)
    const result = await app.invoke('pc', 'issuance.issue', {
      cif,
      serial,
      identity: { kind: 'passport', last4: 'AB12' },
      payment: { method: 'cash', tenderedYen: 1000 },
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'CASH_SHORT' } })
    expect(await snapshot(app.services.db, COUNTER_TABLES)).toBe(before)
  })

  it('keeps outbox ids gapless across refusals', async () => {
    const cifs = (
      await app.services.db('customers').where({ otp_status: 'not_applied' }).orderBy('cif').limit(2)
    ).map((c) => c.cif)
    await issueHard(app, 'pc', cifs[0], stockToken('totp', 0), { method: 'cash', tenderedYen: 1100 })
    await app.invoke('pc', 'issuance.issue', {
      cif: cifs[1],
      serial: stockToken('totp', 1),
      identity: { kind: 'passport', last4: 'AB12' },
      payment: { method: 'cash', tenderedYen: 1100 },
    })
    app.clock.advance(31_000)
    await issueHard(app, 'pc', cifs[1], stockToken('totp', 1), { method: 'cash', tenderedYen: 1100 })
    expect(await app.services.db('outbox').pluck('id')).toEqual([1, 2])
  })
})

describe('fee waiver with supervisor approval', () => {
  it('records a ¥0 receipt waived by the supervisor', async () => {
    const cif = await customerIn(app, 'not_applied')
    const result = await issueHard(app, 'pc', cif, stockToken('totp'), {
      method: 'waiver',
      reason: '初期不良の交換',
      approval: approvalBy(app, 'S001'),
    })
    expect(result).toMatchObject({
      ok: true,
      value: {
        receipt: {
          method: 'waiver',
          amountYen: 0,
          taxYen: 0,
          waivedBy: 'S001',
          waiverReason: '初期不良の交換',
        },
      },
    })
    const [row] = await app.services.db('outbox').select('*')
    expect(JSON.parse(row.args_json).fee).toEqual({
      receiptNo: '001-00-20261125-0001',
      businessDate: '2026-11-25',
      method: 'waiver',
      amountYen: 0,
      waivedBy: 'S001',
      waiverReason: '初期不良の交換',
    })
  })

  it('refuses the maker approving their own waiver, in the service', async () => {
    await login(app, 'sup-pc', 'S001')
    const cif = await customerIn(app, 'not_applied')
    const serial = stockToken('totp')
    await app.invoke('sup-pc', 'issuance.verifyDevice', { cif, serial, otp: await deviceShows(app, serial) })
    const before = await snapshot(app.services.db, [...COUNTER_TABLES, 'staff'])
    const result = await app.invoke('sup-pc', 'issuance.issue', {
      cif,
      serial,
      identity: { kind: 'passport', last4: 'AB12' },
      payment: { method: 'waiver', reason: '初期不良', approval: approvalBy(app, 'S001') },
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'MAKER_IS_CHECKER' } })
    expect(await snapshot(app.services.db, [...COUNTER_TABLES, 'staff'])).toBe(before)
  })

  it('refuses a teller as approver, and counts a wrong code toward the supervisor’s lockout', async () => {
    const cif = await customerIn(app, 'not_applied')
    const serial = stockToken('totp')
    await app.invoke('pc', 'issuance.verifyDevice', { cif, serial, otp: await deviceShows(app, serial) })
    const before = await snapshot(
      app.services.db,
      COUNTER_TABLES.filter((t) => t !== 'audit'),
    )
    const issue = (approval: unknown) =>
      app.invoke('pc', 'issuance.issue', {
        cif,
        serial,
        identity: { kind: 'passport', last4: 'AB12' },
        payment: { method: 'waiver', reason: '初期不良', approval },
      })
    expect(await issue({ staffId: 'T002', password: 'demo-T002', totp: '123456' })).toMatchObject({
      ok: false,
      error: { code: 'APPROVER_INVALID' },
    })
    expect(await issue({ ...approvalBy(app, 'S001'), totp: '000000' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_OTP' },
    })
    expect(await app.services.db('staff').where({ staff_id: 'S001' }).first()).toMatchObject({
      failed_logins: 1,
    })
    expect(
      await snapshot(
        app.services.db,
        COUNTER_TABLES.filter((t) => t !== 'audit'),
      ),
    ).toBe(before)
    for (let i = 0; i < 4; i++) await issue({ ...approvalBy(app, 'S001'), totp: '000000' })
    expect(await issue(approvalBy(app, 'S001'))).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_LOCKED' },
    })
  })

  it('does not accept the same approval code twice', async () => {
    const cifs = (
      await app.services.db('customers').where({ otp_status: 'not_applied' }).orderBy('cif').limit(2)
    ).map((c) => c.cif)
    const approval = approvalBy(app, 'S001')
    const waiver = { method: 'waiver', reason: '初期不良', approval }
    expect((await issueHard(app, 'pc', cifs[0], stockToken('totp', 0), waiver)).ok).toBe(true)
    expect(await issueHard(app, 'pc', cifs[1], stockToken('hotp', 0), waiver)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_OTP' },
    })
  })
})
