import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempApp, type TempApp } from '../support/tempApp'
import { login } from '../support/counter'

/**
 * 経過日数 everywhere (the revocation list, the approvals inbox, the 承認待ち report and the dashboard)
 * counts Japan calendar days from the same day the due date counts from: the received date for a paper
 * form, the day it was recorded for an in-person request. Checked on a real SQLite file, with the fake
 * clock stepping over midnight in Japan (15:00 UTC).
 */
let app: TempApp
let paperId = ''
let inPersonId = ''

async function ok<T>(promise: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const result = await promise
  if (!result.ok) throw new Error(JSON.stringify(result.error))
  return result.value as T
}

/** Customers in use who hold a hard token (paper revocations are for hard tokens). */
async function hardHolders(): Promise<string[]> {
  return app.services
    .db('customers as c')
    .join('tokens as t', 't.cif', 'c.cif')
    .where({ 'c.otp_status': 'in_use', 't.kind': 'hard' })
    .distinct('c.cif')
    .orderBy('c.cif')
    .pluck('c.cif')
}

async function agesNow(): Promise<{
  list: Map<string, number>
  inbox: Map<string, number>
  report: Map<string, number>
  oldest: number | null
}> {
  const recordedOn = '2026-11-25'
  // The clock jumps further than the idle lock: log in again at the new time.
  await login(app, 'T001', 'T001')
  await login(app, 'S001', 'S001')
  const list = await ok<{ items: { id: string; ageDays: number }[] }>(
    app.invoke('T001', 'revocations.list', { openOnly: true }),
  )
  const inbox = await ok<{ items: { id: string; ageDays: number }[] }>(
    app.invoke('S001', 'approvals.inbox', {}),
  )
  const report = await ok<{ rows: { requestId: string; ageDays: number }[] }>(
    app.invoke('S001', 'reports.approvals', { from: recordedOn, to: recordedOn }),
  )
  const board = await ok<{ oldestApprovalDays: number | null }>(app.invoke('S001', 'dashboard.summary', {}))
  return {
    list: new Map(list.items.map((r) => [r.id, r.ageDays])),
    inbox: new Map(inbox.items.map((r) => [r.id, r.ageDays])),
    report: new Map(report.rows.map((r) => [r.requestId, r.ageDays])),
    oldest: board.oldestApprovalDays,
  }
}

beforeAll(async () => {
  app = await tempApp()
  const [paperCif, inPersonCif] = await hardHolders()
  expect(paperCif && inPersonCif).toBeTruthy()
  // 23:50 in Japan on 2026-11-25.
  app.clock.set('2026-11-25T14:50:00Z')
  await login(app, 'T001', 'T001')
  await login(app, 'S001', 'S001')
  paperId = (
    await ok<{ id: string }>(
      app.invoke('T001', 'revocations.request', {
        cif: paperCif,
        channel: 'paper',
        reason: 'unneeded',
        paper: { formNo: '第0123号', receivedOn: '2026-11-20', sealChecked: true },
      }),
    )
  ).id
  inPersonId = (
    await ok<{ id: string }>(
      app.invoke('T001', 'revocations.request', {
        cif: inPersonCif,
        channel: 'in_person',
        reason: 'change_device',
        identity: { kind: 'passport', last4: '9876' },
      }),
    )
  ).id
})
afterAll(() => app.close())

describe('経過日数 across midnight in Japan', () => {
  it('before midnight: the paper form counts from its received date, the in-person request is day 0', async () => {
    const ages = await agesNow()
    for (const source of [ages.list, ages.inbox, ages.report]) {
      expect(source.get(paperId)).toBe(5)
      expect(source.get(inPersonId)).toBe(0)
    }
    expect(ages.oldest).toBe(5)
  })

  it('twenty minutes later it is the next day in Japan: both count one more, the same on every list', async () => {
    // 00:10 on 2026-11-26 in Japan, only 20 minutes after the in-person request was recorded:
    // 24-hour periods would still say 0.
    app.clock.advanceMinutes(20)
    const ages = await agesNow()
    for (const source of [ages.list, ages.inbox, ages.report]) {
      expect(source.get(paperId)).toBe(6)
      expect(source.get(inPersonId)).toBe(1)
    }
    expect(ages.oldest).toBe(6)
  })

  it('23 hours on, still 2026-11-26 in Japan: no change', async () => {
    app.clock.set('2026-11-26T14:59:59Z')
    const ages = await agesNow()
    expect(ages.list.get(paperId)).toBe(6)
    expect(ages.report.get(inPersonId)).toBe(1)
    app.clock.set('2026-11-26T15:00:00Z')
    const next = await agesNow()
    expect(next.list.get(paperId)).toBe(7)
    expect(next.inbox.get(inPersonId)).toBe(2)
    expect(next.oldest).toBe(7)
  })
})
