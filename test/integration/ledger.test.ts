import { execFileSync, spawnSync } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/core/auditChain'
import { snapshot, tempApp, type TempApp } from '../support/tempApp'
import { approvalBy, issueHard, login, stockToken } from '../support/counter'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
  await login(app, 'pc', 'T001')
})
afterEach(() => app.close())

async function takeCashFee(index = 0): Promise<string> {
  const cifs = await app.services
    .db('customers')
    .where({ otp_status: 'not_applied' })
    .orderBy('cif')
    .pluck('cif')
  const result = await issueHard(app, 'pc', cifs[index], stockToken('totp', index), {
    method: 'cash',
    tenderedYen: 1100,
  })
  if (!result.ok) throw new Error(result.error.message)
  app.clock.advance(31_000)
  return (result.value as { receipt: { receiptNo: string } }).receipt.receiptNo
}

describe('void', () => {
  it('adds a negative entry with reason and checker; the receipt itself is untouched', async () => {
    const receiptNo = await takeCashFee()
    const receiptRow = await app.services.db('receipts').where({ receipt_no: receiptNo }).first()
    const result = await app.invoke('pc', 'ledger.void', {
      receiptNo,
      reason: '金額誤り',
      approval: approvalBy(app, 'S001'),
    })
    expect(result).toMatchObject({ ok: true, value: { voided: true, voidReason: '金額誤り' } })
    expect(await app.services.db('receipts').where({ receipt_no: receiptNo }).first()).toEqual(receiptRow)
    expect(
      await app.services.db('ledger_entries').where({ receipt_no: receiptNo }).orderBy('id'),
    ).toMatchObject([
      { kind: 'fee', amount_yen: 1100, cash_yen: 1100 },
      { kind: 'void', amount_yen: -1100, cash_yen: -1100, checker: 'S001', reason: '金額誤り' },
    ])
    expect(await app.invoke('pc', 'ledger.day', {})).toMatchObject({
      ok: true,
      value: { expectedCashYen: 0, voidCount: 1 },
    })
    const outbox = await app.services.db('outbox').orderBy('id')
    expect(outbox.map((o) => o.name)).toEqual(['token.issue_hard', 'fee.void'])
    expect(JSON.parse(outbox[1].args_json)).toEqual({ receiptNo, reason: '金額誤り', checker: 'S001' })
  })

  it('refuses a second void and a void approved by the maker, changing nothing', async () => {
    const receiptNo = await takeCashFee()
    await app.invoke('pc', 'ledger.void', {
      receiptNo,
      reason: '金額誤り',
      approval: approvalBy(app, 'S001'),
    })
    app.clock.advance(31_000)
    const before = await snapshot(app.services.db)
    expect(
      await app.invoke('pc', 'ledger.void', {
        receiptNo,
        reason: 'again',
        approval: approvalBy(app, 'S002'),
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_VOIDED' },
    })
    expect(await snapshot(app.services.db)).toBe(before)

    const other = await takeCashFee(1)
    await login(app, 'sup', 'S001')
    const before2 = await snapshot(app.services.db)
    expect(
      await app.invoke('sup', 'ledger.void', {
        receiptNo: other,
        reason: '誤り',
        approval: approvalBy(app, 'S001'),
      }),
    ).toMatchObject({ ok: false, error: { code: 'MAKER_IS_CHECKER' } })
    expect(await snapshot(app.services.db)).toBe(before2)
  })

  it('refuses a receipt that does not exist', async () => {
    expect(
      await app.invoke('pc', 'ledger.void', {
        receiptNo: '001-00-20261125-0099',
        reason: '誤り',
        approval: approvalBy(app, 'S001'),
      }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })
})

describe('day close', () => {
  it('needs a note for a difference, records the close, and then refuses fees for that date', async () => {
    await takeCashFee(0)
    await takeCashFee(1)
    expect(await app.invoke('pc', 'ledger.day', {})).toMatchObject({
      ok: true,
      value: { expectedCashYen: 2200, feeCount: 2 },
    })

    const before = await snapshot(app.services.db)
    expect(
      await app.invoke('pc', 'ledger.closeDay', { countedYen: 2100, approval: approvalBy(app, 'S001') }),
    ).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { note: expect.any(String) } },
    })
    expect(await snapshot(app.services.db)).toBe(before)

    const closed = await app.invoke('pc', 'ledger.closeDay', {
      countedYen: 2100,
      note: '100円不足、原因調査中',
      approval: approvalBy(app, 'S001'),
    })
    expect(closed).toMatchObject({
      ok: true,
      value: {
        closed: { countedYen: 2100, differenceYen: -100, checker: 'S001', note: '100円不足、原因調査中' },
      },
    })
    const [mutation] = await app.services.db('outbox').where({ name: 'ledger.close_day' })
    expect(JSON.parse(mutation.args_json)).toEqual({
      staffId: 'T001',
      businessDate: '2026-11-25',
      expectedYen: 2200,
      countedYen: 2100,
      note: '100円不足、原因調査中',
      checker: 'S001',
    })

    // After the close: no fee for T001 today, and no second close.
    app.clock.advance(31_000)
    const cif = (
      await app.services.db('customers').where({ otp_status: 'not_applied' }).orderBy('cif').first()
    ).cif
    const serial = stockToken('hotp', 0)
    const before2 = await snapshot(app.services.db, [
      'customers',
      'tokens',
      'receipts',
      'ledger_entries',
      'day_closes',
      'outbox',
      'requests',
    ])
    const refused = await issueHard(app, 'pc', cif, serial, { method: 'cash', tenderedYen: 1100 })
    expect(refused).toMatchObject({ ok: false, error: { code: 'DAY_CLOSED' } })
    expect(
      await snapshot(app.services.db, [
        'customers',
        'tokens',
        'receipts',
        'ledger_entries',
        'day_closes',
        'outbox',
        'requests',
      ]),
    ).toBe(before2)
    expect(
      await app.invoke('pc', 'ledger.closeDay', { countedYen: 0, approval: approvalBy(app, 'S002') }),
    ).toMatchObject({
      ok: false,
      error: { code: 'DAY_CLOSED' },
    })

    // Another teller's day is still open.
    await login(app, 'pc2', 'T002')
    expect((await issueHard(app, 'pc2', cif, serial, { method: 'cash', tenderedYen: 1100 })).ok).toBe(true)
  })

  it('lets a teller see only their own day; a supervisor sees anyone’s', async () => {
    expect(await app.invoke('pc', 'ledger.day', { staffId: 'T002' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    await login(app, 'sup', 'S001')
    expect(await app.invoke('sup', 'ledger.day', { staffId: 'T001' })).toMatchObject({
      ok: true,
      value: { staffId: 'T001' },
    })
  })
})

describe('stock', () => {
  it('lists the branch stock with counts and no seeds', async () => {
    const result = await app.invoke('pc', 'stock.list', { state: 'in_stock' })
    expect(result).toMatchObject({ ok: true, value: { counts: { in_stock: 50 } } })
    if (result.ok) {
      const { items } = result.value as { items: object[] }
      expect(items).toHaveLength(50)
      expect(JSON.stringify(items)).not.toMatch(/seed/i)
    }
  })

  it('writes off a defective device with approval, deleting its seed', async () => {
    const serial = stockToken('hotp', 3)
    const result = await app.invoke('pc', 'stock.writeOff', {
      serial,
      reason: '表示不良',
      approval: approvalBy(app, 'S001'),
    })
    expect(result).toMatchObject({ ok: true, value: { serial, state: 'defective' } })
    expect(await app.services.db('inventory').where({ serial }).first()).toMatchObject({
      state: 'defective',
      seed_sealed: null,
    })
    const [mutation] = await app.services.db('outbox').where({ name: 'inventory.write_off' })
    expect(JSON.parse(mutation.args_json)).toEqual({ serial, reason: '表示不良', checker: 'S001' })
  })

  it('refuses to write off a device not in stock, or without a reason', async () => {
    const active = await app.services.db('inventory').where({ state: 'active' }).first()
    const before = await snapshot(app.services.db)
    expect(
      await app.invoke('pc', 'stock.writeOff', {
        serial: active.serial,
        reason: '表示不良',
        approval: approvalBy(app, 'S001'),
      }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_IN_STOCK' } })
    expect(
      await app.invoke('pc', 'stock.writeOff', {
        serial: stockToken('hotp'),
        reason: '',
        approval: approvalBy(app, 'S001'),
      }),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await snapshot(app.services.db)).toBe(before)
  })
})

describe('audit', () => {
  it('lets supervisors (only) list it with filters', async () => {
    await takeCashFee()
    expect(await app.invoke('pc', 'audit.list', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    await login(app, 'sup', 'S001')
    const result = await app.invoke('sup', 'audit.list', { actor: 'T001', action: 'token.' })
    expect(result).toMatchObject({
      ok: true,
      value: { total: 1, items: [{ action: 'token.issue_hard', actor: 'T001' }] },
    })
  })

  it('catches an audit row edited by raw SQL, with the verify command', async () => {
    await takeCashFee()
    await app.services.db.destroy()
    const run = () =>
      spawnSync('npx', ['tsx', 'src/main/cli/auditVerify.ts', '--db', app.dbFile], { encoding: 'utf8' })
    const good = run()
    expect(good.status).toBe(0)
    expect(good.stdout).toMatch(/^ok \(\d+ audit rows\)/)

    // Someone with the file drops the guard trigger and rewrites history.
    execFileSync('node', [
      '-e',
      `const s=require('sqlite3');const d=new s.Database(process.argv[1]);d.exec("DROP TRIGGER audit_no_update; UPDATE audit SET actor='T002' WHERE action='token.issue_hard';",e=>{if(e)throw e;d.close()})`,
      app.dbFile,
    ])
    const bad = run()
    expect(bad.status).toBe(1)
    const row = /broken at audit row (\d+): row content does not match its hash/.exec(bad.stdout)
    expect(row, bad.stdout + bad.stderr).not.toBeNull()
  })

  it('stays one unbroken chain through a day of counter work', async () => {
    const receiptNo = await takeCashFee()
    await app.invoke('pc', 'ledger.void', { receiptNo, reason: '誤り', approval: approvalBy(app, 'S001') })
    expect(await verifyAuditChain(app.services.db, 'audit')).toMatchObject({ ok: true })
  })
})
