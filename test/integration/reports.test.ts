import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { snapshot, tempApp, type TempApp } from '../support/tempApp'
import { approvalBy, issueHard, login, stockToken } from '../support/counter'

/**
 * One business day at branch 001 (2026-11-25, Japan), done through the channels as the counter does it,
 * then every report and the dashboard checked against it and against the database.
 */
let app: TempApp
const TODAY = '2026-11-25'
const receipts: string[] = []

async function cifs(status: string): Promise<string[]> {
  return app.services.db('customers').where({ otp_status: status }).orderBy('cif').pluck('cif')
}

async function ok<T>(promise: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const result = await promise
  if (!result.ok) throw new Error(JSON.stringify(result.error))
  return result.value as T
}

beforeAll(async () => {
  app = await tempApp({ logDirectory: undefined })
  await login(app, 'T001', 'T001')
  await login(app, 'T002', 'T002')
  await login(app, 'S001', 'S001')
  await login(app, 'A001', 'A001')
  const fresh = await cifs('not_applied')
  const issue = async (pc: string, i: number, payment: object) => {
    const value = await ok<{ receipt: { receiptNo: string } }>(
      issueHard(app, pc, fresh[i]!, stockToken('totp', i), payment),
    )
    receipts.push(value.receipt.receiptNo)
    app.clock.advance(31_000)
  }
  await issue('T001', 0, { method: 'cash', tenderedYen: 2000 })
  await issue('T001', 1, { method: 'cash', tenderedYen: 1100 })
  await issue('T002', 2, { method: 'waiver', reason: '初期不良の交換', approval: approvalBy(app, 'S001') })
  await ok(
    app.invoke('T001', 'ledger.void', {
      receiptNo: receipts[1],
      reason: '金額誤り',
      approval: approvalBy(app, 'S001'),
    }),
  )
  app.clock.advance(31_000)
  await ok(
    app.invoke('T001', 'ledger.closeDay', {
      countedYen: 1000,
      note: '100円不足',
      approval: approvalBy(app, 'S001'),
    }),
  )
  app.clock.advance(31_000)
  const inUse = await cifs('in_use')
  await ok(
    app.invoke('T001', 'revocations.request', {
      cif: inUse[0],
      channel: 'paper',
      reason: 'unneeded',
      paper: { formNo: 'F-0001', receivedOn: '2026-11-05', sealChecked: true },
    }),
  )
  await ok(
    app.invoke('T001', 'revocations.request', {
      cif: inUse[1],
      channel: 'paper',
      reason: 'unneeded',
      paper: { formNo: 'F-0002', receivedOn: '2026-11-24', sealChecked: true },
    }),
  )
  await ok(
    app.invoke('T002', 'revocations.request', {
      cif: inUse[2],
      channel: 'in_person',
      reason: 'change_device',
      identity: { kind: 'passport', last4: '9876' },
    }),
  )
  await ok(app.invoke('T001', 'revocations.suspend', { cif: inUse[3], reason: 'lost' }))
  await ok(
    app.invoke('T002', 'stock.writeOff', {
      serial: stockToken('hotp', 0),
      reason: '初期不良',
      approval: approvalBy(app, 'S001'),
    }),
  )
})
afterAll(() => app.close())

describe('reports', () => {
  it('日次業務 counts each teller’s issuances, revocations and suspensions of the day', async () => {
    const { rows } = await ok<{ rows: unknown[] }>(
      app.invoke('S001', 'reports.operations', { from: TODAY, to: TODAY }),
    )
    expect(rows).toEqual([
      {
        businessDate: TODAY,
        staffId: 'T001',
        staffName: '山田 花子',
        issuances: 2,
        revocations: 2,
        suspensions: 1,
      },
      {
        businessDate: TODAY,
        staffId: 'T002',
        staffName: '佐藤 健',
        issuances: 1,
        revocations: 1,
        suspensions: 0,
      },
    ])
    // An issuance central refused (kept on record for its receipt) is not counted as handed over.
    await app.services.db('requests').insert({
      id: '00000000-0000-4000-8000-000000000001',
      kind: 'hard_issuance',
      cif: (await cifs('not_applied'))[10],
      state: 'refused',
      maker: 'T002',
      created_at: app.clock.now().toISOString(),
      updated_at: app.clock.now().toISOString(),
    })
    const again = await ok<{ rows: unknown[] }>(
      app.invoke('S001', 'reports.operations', { from: TODAY, to: TODAY }),
    )
    expect(again.rows).toEqual(rows)
    const onlyT002 = await ok<{ rows: unknown[] }>(
      app.invoke('S001', 'reports.operations', { from: TODAY, to: TODAY, staffId: 'T002' }),
    )
    expect(onlyT002.rows).toHaveLength(1)
    const yesterday = await ok<{ rows: unknown[] }>(
      app.invoke('S001', 'reports.operations', { from: '2026-11-24', to: '2026-11-24' }),
    )
    expect(yesterday.rows).toEqual([])
  })

  it('手数料台帳 has each teller’s fees, voids and day close, and the branch total', async () => {
    const { rows } = await ok<{ rows: unknown[] }>(
      app.invoke('S001', 'reports.fees', { from: TODAY, to: TODAY }),
    )
    expect(rows).toEqual([
      expect.objectContaining({
        staffId: 'T001',
        feeCount: 2,
        voidCount: 1,
        cashYen: 1100,
        debitYen: 0,
        netYen: 1100,
        closeState: 'closed',
        countedYen: 1000,
        differenceYen: -100,
        closeChecker: 'S001',
        closeNote: '100円不足',
      }),
      expect.objectContaining({
        staffId: 'T002',
        feeCount: 1,
        cashYen: 0,
        waiverCount: 1,
        netYen: 0,
        closeState: 'open',
      }),
      expect.objectContaining({
        staffId: null,
        feeCount: 3,
        voidCount: 1,
        cashYen: 1100,
        waiverCount: 1,
        debitYen: 0,
        netYen: 1100,
        closeState: 'open',
        countedYen: null,
      }),
    ])
    // The ledger's own figures agree.
    const [total] = await app.services
      .db('ledger_entries')
      .where({ business_date: TODAY })
      .sum({ n: 'amount_yen' })
    expect(total!.n).toBe(1100)
  })

  it('承認待ち lists the revocations waiting for a supervisor, oldest first', async () => {
    const { rows } = await ok<{ rows: { maker: string; channel: string }[] }>(
      app.invoke('S001', 'reports.approvals', { from: TODAY, to: TODAY }),
    )
    expect(rows.map((r) => [r.maker, r.channel])).toEqual([
      ['T001', 'paper'],
      ['T001', 'paper'],
      ['T002', 'in_person'],
    ])
    const waiting = await app.services.db('requests').where({ kind: 'revocation', state: 'awaiting_branch' })
    expect(rows).toHaveLength(waiting.length)
  })

  it('書面 lists open paper revocations with due dates; the overdue filter keeps the late one', async () => {
    const all = await ok<{
      rows: { formNo: string; dueOn: string; overdue: boolean; daysOverdue: number }[]
    }>(app.invoke('S001', 'reports.paperRevocations', { from: '2026-11-01', to: TODAY }))
    expect(all.rows.map((r) => [r.formNo, r.dueOn, r.overdue, r.daysOverdue])).toEqual([
      ['F-0001', '2026-11-19', true, 6],
      ['F-0002', '2026-12-08', false, 0],
    ])
    const late = await ok<{ rows: { formNo: string }[] }>(
      app.invoke('S001', 'reports.paperRevocations', { from: '2026-11-01', to: TODAY, overdueOnly: true }),
    )
    expect(late.rows.map((r) => r.formNo)).toEqual(['F-0001'])
  })

  it('在庫受払 shows the hand-overs with their tellers and the write-off', async () => {
    const { rows } = await ok<{ rows: { movement: string; serial: string; staffId: string | null }[] }>(
      app.invoke('S001', 'reports.stockMovements', { from: TODAY, to: TODAY }),
    )
    const moves = rows.map((r) => [r.movement, r.serial, r.staffId])
    expect(moves).toEqual(
      expect.arrayContaining([
        ['issued', stockToken('totp', 0), 'T001'],
        ['issued', stockToken('totp', 1), 'T001'],
        ['issued', stockToken('totp', 2), 'T002'],
        ['written_off', stockToken('hotp', 0), 'T002'],
      ]),
    )
    const issuedToday = await app.services
      .db('tokens')
      .where({ kind: 'hard' })
      .where('issued_at', '>=', '2026-11-24T15:00:00.000Z')
    expect(rows.filter((r) => r.movement === 'issued')).toHaveLength(issuedToday.length)
  })

  it('refuses a reversed or too long range, and tellers, changing nothing', async () => {
    const before = await snapshot(app.services.db)
    expect(await app.invoke('S001', 'reports.fees', { from: TODAY, to: '2026-11-01' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { to: expect.any(String) } },
    })
    expect(await app.invoke('S001', 'reports.fees', { from: '2025-01-01', to: TODAY })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    })
    expect(await app.invoke('T001', 'reports.operations', { from: TODAY, to: TODAY })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
  })
})

describe('dashboard', () => {
  it('shows today’s figures as the database has them', async () => {
    const d = await ok<{
      businessDate: string
      today: Record<string, number>
      approvalsWaiting: number
      overduePaper: { formNo: string }[]
      stock: { inStock: number; threshold: number; low: boolean }
      trend: { businessDate: string; issuances: number; revocations: number }[]
      sync: { outboxDepth: number; enrolled: boolean }
    }>(app.invoke('S001', 'dashboard.summary', {}))
    const db = app.services.db
    const count = async (q: ReturnType<typeof db>) => Number((await q.count({ n: '*' }).first())!.n)
    expect(d.businessDate).toBe(TODAY)
    expect(d.today).toEqual({
      issuances: await count(db('requests').where({ kind: 'hard_issuance' }).whereNot({ state: 'refused' })),
      revocations: await count(db('requests').where({ kind: 'revocation' })),
      suspensions: await count(db('requests').where({ kind: 'suspension' })),
      feeYen: 1100,
      voids: await count(db('ledger_entries').where({ kind: 'void' })),
      openDayCloses: 1,
    })
    expect(d.approvalsWaiting).toBe(
      await count(db('requests').where({ kind: 'revocation', state: 'awaiting_branch' })),
    )
    expect(d.overduePaper.map((r) => r.formNo)).toEqual(['F-0001'])
    expect(d.stock.inStock).toBe(await count(db('inventory').where({ state: 'in_stock' })))
    expect(d.sync.outboxDepth).toBe(await count(db('outbox')))
    expect(d.trend).toHaveLength(14)
    expect(d.trend.at(-1)).toEqual({ businessDate: TODAY, issuances: 3, revocations: 3 })
    expect(d.trend[0]!.businessDate).toBe('2026-11-12')
  })

  it('marks the stock low once it is at or below the admin’s threshold', async () => {
    const inStock = Number(
      (await app.services.db('inventory').where({ state: 'in_stock' }).count({ n: '*' }).first())!.n,
    )
    const saved = await app.invoke('A001', 'settings.updateWorkstation', {
      receiptLayout: 'a4',
      printerName: 'EPSON TM-T88VII',
      lowStockThreshold: inStock,
    })
    expect(saved).toMatchObject({ ok: true, value: { receiptLayout: 'a4', lowStockThreshold: inStock } })
    expect(await app.invoke('S001', 'dashboard.summary', {})).toMatchObject({
      ok: true,
      value: { stock: { inStock, threshold: inStock, low: true } },
    })
    const audit = await app.services.db('audit').where({ action: 'settings.workstation' }).first()
    expect(JSON.parse(audit.after_json)).toMatchObject({ printerName: 'EPSON TM-T88VII' })
    expect(
      await app.invoke('S001', 'settings.updateWorkstation', {
        receiptLayout: 'a4',
        printerName: '',
        lowStockThreshold: 1,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })
})

describe('about, printing and support logs', () => {
  it('about names the version and this workstation; printing needs the desktop app', async () => {
    expect(await app.invoke('T001', 'about.info', {})).toMatchObject({
      ok: true,
      value: {
        appName: 'Token Desk',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        branchCode: '001',
        shell: 'browser',
      },
    })
    await app.services
      .db('sync_state')
      .where({ id: 1 })
      .update({ workstation_no: '02', workstation_name: '窓口2' })
    expect(await app.invoke('T001', 'about.info', {})).toMatchObject({
      ok: true,
      value: { workstationName: '02 窓口2' },
    })
    expect(await app.invoke('A001', 'print.printers', {})).toEqual({
      ok: true,
      value: { desktop: false, names: [] },
    })
    expect(await app.invoke('T001', 'print.pdf', { layout: 'receipt80', name: 'receipt' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
  })

  it('saves the log files for support without the secrets in them', async () => {
    const logs = join(app.dir, 'logs')
    mkdirSync(logs)
    writeFileSync(join(logs, 'token-desk.1.log'), 'older line password=hunter2\r\n')
    writeFileSync(
      join(logs, 'token-desk.log'),
      '[info] login T001\n[warn] {"staffId":"S001","password":"demo-S001","totp":"123456"}\n' +
        '[info] seed 3132333435363738393031323334353637383930\n',
    )
    const withLogs = await tempApp({ logDirectory: logs })
    try {
      await login(withLogs, 'A001', 'A001')
      const result = await ok<{ fileName: string; content: string; files: number }>(
        withLogs.invoke('A001', 'logs.export', {}),
      )
      expect(result.files).toBe(2)
      expect(result.fileName).toMatch(/^token-desk-logs-\d{8}T\d{6}\.txt$/)
      expect(result.content.indexOf('token-desk.1.log')).toBeLessThan(
        result.content.indexOf('===== token-desk.log'),
      )
      expect(result.content).toContain('login T001')
      for (const secret of ['hunter2', 'demo-S001', '123456', '3132333435363738393031323334353637383930'])
        expect(result.content).not.toContain(secret)
      expect(await withLogs.invoke('T001', 'logs.export', {})).toMatchObject({ ok: false })
    } finally {
      await withLogs.close()
    }
  })
})
