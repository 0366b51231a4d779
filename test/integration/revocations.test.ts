import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snapshot, tempApp, type TempApp } from '../support/tempApp'
import { approvalBy, customerIn, login } from '../support/counter'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
  await login(app, 'teller', 'T001')
  await login(app, 'sup', 'S001')
})
afterEach(() => app.close())

const paper = (cif: string) => ({
  cif,
  channel: 'paper',
  reason: 'unneeded',
  paper: { formNo: 'F-2026-0042', receivedOn: '2026-11-20', sealChecked: true },
})
const inPerson = (cif: string) => ({
  cif,
  channel: 'in_person',
  reason: 'change_device',
  identity: { kind: 'my_number_card', last4: '4321' },
})

async function record(input: object): Promise<{ id: string; state: string; dueOn: string | null }> {
  const result = await app.invoke('teller', 'revocations.request', input)
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value as { id: string; state: string; dueOn: string | null }
}

const status = async (cif: string) => (await app.services.db('customers').where({ cif }).first()).otp_status
const outboxNames = async () => (await app.services.db('outbox').orderBy('id')).map((r) => r.name)

describe('recording a revocation', () => {
  it('records a paper revocation waiting for branch approval; the status does not change yet', async () => {
    const cif = await customerIn(app, 'in_use')
    const request = await record(paper(cif))
    expect(request).toMatchObject({
      state: 'awaiting_branch',
      dueOn: '2026-12-04',
      channel: 'paper',
      formNo: 'F-2026-0042',
    })
    expect(await status(cif)).toBe('in_use')
    const [row] = await app.services.db('outbox')
    expect(row.name).toBe('revocation.request')
    expect(JSON.parse(row.args_json)).toMatchObject({
      requestId: request.id,
      cif,
      channel: 'paper',
      reason: 'unneeded',
      paperForm: { formNo: 'F-2026-0042', receivedOn: '2026-11-20' },
    })
  })

  it('refuses bad input and impossible requests, changing nothing', async () => {
    const cif = await customerIn(app, 'in_use')
    const before = await snapshot(app.services.db)
    const bad = [
      { ...inPerson(cif), identity: undefined },
      { ...paper(cif), paper: { formNo: 'F1', receivedOn: '2026-11-20', sealChecked: false } },
      { ...inPerson(cif), reason: 'other' },
      { ...inPerson(cif), reason: 'bored' },
      { ...paper(cif), paper: { formNo: 'F1', receivedOn: '2026-11-26', sealChecked: true } },
    ]
    for (const input of bad) {
      expect(await app.invoke('teller', 'revocations.request', input), JSON.stringify(input)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      })
    }
    const never = await customerIn(app, 'not_applied')
    expect(await app.invoke('teller', 'revocations.request', inPerson(never))).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
    await record(inPerson(cif))
    const before2 = await snapshot(app.services.db)
    expect(await app.invoke('teller', 'revocations.request', paper(cif))).toMatchObject({
      ok: false,
      error: { code: 'REVOCATION_OPEN' },
    })
    expect(await snapshot(app.services.db)).toBe(before2)
  })
})

describe('branch approval', () => {
  it('moves the customer to revocation_pending and writes revocation.approve', async () => {
    const cif = await customerIn(app, 'in_use')
    const request = await record(paper(cif))
    expect(await app.invoke('sup', 'approvals.inbox', {})).toMatchObject({
      ok: true,
      value: { items: [{ id: request.id }] },
    })
    const approved = await app.invoke('sup', 'revocations.approve', { requestId: request.id })
    expect(approved).toMatchObject({
      ok: true,
      value: { state: 'awaiting_central', checker: 'S001', otpStatus: 'revocation_pending' },
    })
    expect(await status(cif)).toBe('revocation_pending')
    expect(await outboxNames()).toEqual(['revocation.request', 'revocation.approve'])
    const [, row] = await app.services.db('outbox').orderBy('id')
    expect(JSON.parse(row.args_json)).toEqual({ requestId: request.id, checker: 'S001' })
    expect(await app.invoke('sup', 'approvals.inbox', {})).toMatchObject({ ok: true, value: { items: [] } })
  })

  it('approves at the teller’s PC with the approval dialog', async () => {
    const cif = await customerIn(app, 'token_issued')
    const request = await record(inPerson(cif))
    const result = await app.invoke('teller', 'revocations.approve', {
      requestId: request.id,
      approval: approvalBy(app, 'S002'),
    })
    expect(result).toMatchObject({ ok: true, value: { checker: 'S002', state: 'awaiting_central' } })
  })

  it('refuses the maker approving their own request, and a teller approving, changing nothing', async () => {
    const cif = await customerIn(app, 'in_use')
    const own = await app.invoke('sup', 'revocations.request', inPerson(cif))
    if (!own.ok) throw new Error(own.error.message)
    const id = (own.value as { id: string }).id
    const before = await snapshot(app.services.db)
    expect(await app.invoke('sup', 'revocations.approve', { requestId: id })).toMatchObject({
      ok: false,
      error: { code: 'MAKER_IS_CHECKER' },
    })
    expect(
      await app.invoke('sup', 'revocations.approve', { requestId: id, approval: approvalBy(app, 'S001') }),
    ).toMatchObject({
      ok: false,
      error: { code: 'MAKER_IS_CHECKER' },
    })
    expect(await app.invoke('teller', 'revocations.approve', { requestId: id })).toMatchObject({
      ok: false,
      error: { code: 'APPROVAL_REQUIRED' },
    })
    expect(
      await app.invoke('teller', 'revocations.approve', {
        requestId: id,
        approval: { staffId: 'T002', password: 'demo-T002', totp: '123456' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'APPROVER_INVALID' } })
    expect(await app.invoke('teller', 'approvals.inbox', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
  })

  it('refuses approval when the customer changed meanwhile, with CUSTOMER_CHANGED', async () => {
    const cif = await customerIn(app, 'in_use')
    const request = await record(inPerson(cif))
    // The customer reports the token lost while the request waits: suspended at once.
    expect(await app.invoke('teller', 'revocations.suspend', { cif, reason: 'lost' })).toMatchObject({
      ok: true,
    })
    const before = await snapshot(app.services.db)
    expect(await app.invoke('sup', 'revocations.approve', { requestId: request.id })).toMatchObject({
      ok: false,
      error: { code: 'CUSTOMER_CHANGED' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
  })

  it('rejects with a reason; the customer keeps their status', async () => {
    const cif = await customerIn(app, 'in_use')
    const request = await record(paper(cif))
    const result = await app.invoke('sup', 'revocations.reject', {
      requestId: request.id,
      reason: '届出印不一致',
    })
    expect(result).toMatchObject({
      ok: true,
      value: { state: 'rejected', decisionReason: '届出印不一致', decidedBy: 'S001' },
    })
    expect(await status(cif)).toBe('in_use')
    const rows = await app.services.db('outbox').orderBy('id')
    expect(JSON.parse(rows[1].args_json)).toEqual({
      requestId: request.id,
      checker: 'S001',
      reason: '届出印不一致',
    })
    const before = await snapshot(app.services.db)
    expect(await app.invoke('sup', 'revocations.approve', { requestId: request.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
  })
})

describe('emergency suspension', () => {
  it('suspends at once and goes to the front of the outbox', async () => {
    const first = await customerIn(app, 'in_use')
    await record(paper(first))
    const cif = (
      await app.services.db('customers').where({ otp_status: 'in_use' }).orderBy('cif').offset(1).first()
    ).cif
    expect(await app.invoke('teller', 'revocations.suspend', { cif, reason: 'stolen' })).toEqual({
      ok: true,
      value: { requestId: expect.any(String), otpStatus: 'suspended' },
    })
    expect(await status(cif)).toBe('suspended')
    const pending = await app.services.outbox.pending(app.services.db)
    expect(pending.map((p) => p.name)).toEqual(['token.suspend', 'revocation.request'])
    // A regular revocation follows, from the suspended status.
    const request = await record({ ...inPerson(cif), reason: 'stolen' })
    expect(request).toMatchObject({ state: 'awaiting_branch' })
  })

  it('refuses to suspend a customer without a live token, changing nothing', async () => {
    const cif = await customerIn(app, 'revoked')
    const before = await snapshot(app.services.db)
    expect(await app.invoke('teller', 'revocations.suspend', { cif, reason: 'lost' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
  })
})

describe('withdrawal', () => {
  it('withdraws a request still waiting for approval without an approval', async () => {
    const cif = await customerIn(app, 'in_use')
    const request = await record(inPerson(cif))
    const result = await app.invoke('teller', 'revocations.withdraw', {
      requestId: request.id,
      reason: 'お客さまの申出',
    })
    expect(result).toMatchObject({ ok: true, value: { state: 'withdrawn' } })
    expect(await status(cif)).toBe('in_use')
  })

  it('needs a supervisor once approved, and returns the customer to the earlier status', async () => {
    const cif = await customerIn(app, 'in_use')
    const request = await record(inPerson(cif))
    await app.invoke('sup', 'revocations.approve', { requestId: request.id })
    const before = await snapshot(app.services.db)
    expect(
      await app.invoke('teller', 'revocations.withdraw', { requestId: request.id, reason: '申出' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'APPROVAL_REQUIRED' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
    const result = await app.invoke('teller', 'revocations.withdraw', {
      requestId: request.id,
      reason: 'お客さまの申出',
      approval: approvalBy(app, 'S002'),
    })
    expect(result).toMatchObject({ ok: true, value: { state: 'withdrawn', decidedBy: 'S002' } })
    expect(await status(cif)).toBe('in_use')
    expect(await outboxNames()).toEqual(['revocation.request', 'revocation.approve', 'revocation.withdraw'])
  })
})

describe('tracking', () => {
  it('lists open revocations with due dates; overdue ones are flagged', async () => {
    const cifs = await app.services
      .db('customers')
      .where({ otp_status: 'in_use' })
      .orderBy('cif')
      .limit(2)
      .pluck('cif')
    const old = await record({
      ...paper(cifs[0]),
      paper: { formNo: 'F-1', receivedOn: '2026-11-01', sealChecked: true },
    })
    await record(inPerson(cifs[1]))
    const result = await app.invoke('teller', 'revocations.list', { openOnly: true, sort: 'due' })
    expect(result).toMatchObject({
      ok: true,
      value: {
        items: [
          { id: old.id, dueOn: '2026-11-15', overdue: true },
          { channel: 'in_person', dueOn: null, overdue: false },
        ],
      },
    })
    const papers = await app.invoke('teller', 'revocations.list', { channel: 'paper', sort: 'age' })
    expect(papers).toMatchObject({ ok: true, value: { items: [{ id: old.id }] } })
  })
})
