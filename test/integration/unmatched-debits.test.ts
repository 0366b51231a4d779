import { afterEach, describe, expect, it } from 'vitest'
import { listUnmatchedDebits, resolveUnmatchedDebit } from '../../src/central/unmatchedDebits'
import { HqError } from '../../src/central/hqError'
import { CENTRAL_ENGINES, startCentral, type TestCentral } from '../support/central'
import { loginAt, setUpPc, type BranchPc } from '../support/branchPcs'
import { issueHard, stockToken } from '../support/counter'

const HQ_OPERATOR = { kind: 'hq' as const, staffId: 'HQ001', role: 'hq_operator' as const }
const MINUTE = 60_000

/**
 * 口座振替 is settled at central before the branch writes the receipt. HQ sees every debit whose receipt
 * has not reached central: waiting (under an hour), not sent (the PC has not sent all its work since: it
 * may still hold the receipt), or overdue — the customer was charged and no receipt stands for it (the PC
 * lost the debit's answer and the teller took cash, or the issuance was refused). HQ records what it did.
 */
describe.each(CENTRAL_ENGINES)('debits without a receipt, on %s', (engine) => {
  let central: TestCentral
  let pc: BranchPc
  afterEach(async () => {
    await pc?.close()
    await central?.close()
  })

  const hqAt = (minutesAfter: number, debitedAt: string) => ({
    db: central.db,
    secretBox: central.secretBox,
    actor: HQ_OPERATOR,
    now: new Date(Date.parse(debitedAt) + minutesAfter * MINUTE),
  })
  const forHq = (minutesAfter: number, debitedAt: string) =>
    listUnmatchedDebits(hqAt(minutesAfter, debitedAt))

  it('lists a debit until its receipt arrives; one no receipt follows stays until HQ records what it did', async () => {
    central = await startCentral(engine)
    pc = await setUpPc(central, 'pc1')
    await loginAt(pc, 't', 'T001')
    const accounts = await central
      .db('core_accounts')
      .where({ closed: false })
      .where('balance_yen', '>=', 2200)
    const [first, second] = await central
      .db('customers')
      .whereIn(
        'cif',
        accounts.map((a) => a.cif),
      )
      .where({ otp_status: 'not_applied' })
      .orderBy('cif')
      .pluck('cif')
    const accountOf = (cif: string) => accounts.find((a) => a.cif === cif)!.account as string

    // The teller's issuance debits at central; its receipt waits in the PC's outbox.
    const issued = await issueHard(pc, 't', first!, stockToken('totp', 0), {
      method: 'account_debit',
      account: accountOf(first!),
    })
    const receiptNo = (issued as { value: { receipt: { receiptNo: string } } }).value.receipt.receiptNo
    const debited = (await central.db('debits').where({ receipt_no: receiptNo }).first()).debited_at as string
    expect(await forHq(10, debited)).toEqual([
      {
        receiptNo,
        branch: '001',
        workstationNo: '01',
        workstationName: 'pc1',
        cif: first,
        account: accountOf(first!),
        amountYen: 1100,
        debitedAt: debited,
        state: 'waiting',
        lastSeenAt: expect.any(String),
      },
    ])
    // An hour on, the PC has not sent its queue since: the receipt may still be in it.
    expect(await forHq(61, debited)).toMatchObject([{ receiptNo, state: 'notSent' }])
    // Neither can be recorded by an operator yet: the first not at all, the second only by a supervisor.
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: HqError) => e.code,
      )
    const refunded = { how: 'refunded' as const, note: '返金' }
    expect(await refusal(resolveUnmatchedDebit(hqAt(10, debited), receiptNo, refunded))).toBe(
      'RECEIPT_EXPECTED',
    )
    expect(await refusal(resolveUnmatchedDebit(hqAt(61, debited), receiptNo, refunded))).toBe(
      'BRANCH_CONFIRMATION_REQUIRED',
    )
    expect(await central.db('debit_resolutions')).toEqual([])

    // A debit under the PC's next number whose answer the PC never saw: no receipt will follow it.
    const state = await pc.services.db('sync_state').first()
    const client = pc.services.syncClient as unknown as { credentials(s: unknown): string }
    const lost = receiptNo.replace(/\d{4}$/, '0099')
    const answer = await fetch(`${central.url}/v1/debit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: client.credentials(state) },
      body: JSON.stringify({
        clientId: state.client_id,
        receiptNo: lost,
        cif: second,
        account: accountOf(second!),
        amountYen: 1100,
      }),
    })
    expect(answer.status).toBe(200)
    // It was made five minutes before the PC's next push (central's clock cannot be moved from here): a
    // push only counts as "sent since" once it is clear of the debit (SETTLE_MS in unmatchedDebits.ts).
    const lostAt = new Date(Date.now() - 5 * MINUTE).toISOString()
    await central.db('debits').where({ receipt_no: lost }).update({ debited_at: lostAt })

    await pc.sync()
    expect(await central.db('receipts').where({ receipt_no: receiptNo })).toHaveLength(1)
    // The PC has since sent everything it held, and no receipt came for the second debit.
    expect((await forHq(120, debited)).map((d) => [d.receiptNo, d.cif, d.state])).toEqual([
      [lost, second, 'overdue'],
    ])

    // HQ refunds it and records so, in HQ's audit; it leaves the list. Nothing else can be resolved.
    const before = await central.db('debit_resolutions').count({ n: '*' })
    expect(
      await refusal(resolveUnmatchedDebit(hqAt(120, debited), receiptNo, { how: 'matched', note: '' })),
    ).toBe('RECEIPT_ARRIVED')
    expect(
      await refusal(
        resolveUnmatchedDebit(hqAt(120, debited), '001-01-20991231-0001', { how: 'refunded', note: '' }),
      ),
    ).toBe('NOT_FOUND')
    const admin = {
      ...hqAt(120, debited),
      actor: { kind: 'hq' as const, staffId: 'HQ201', role: 'hq_admin' as const },
    }
    expect(await refusal(resolveUnmatchedDebit(admin, lost, { how: 'refunded', note: '' }))).toBe('FORBIDDEN')
    expect(await central.db('debit_resolutions').count({ n: '*' })).toEqual(before)
    await resolveUnmatchedDebit(hqAt(125, debited), lost, { how: 'refunded', note: '支店に確認のうえ返金' })
    expect(await forHq(130, debited)).toEqual([])
    expect(
      await refusal(resolveUnmatchedDebit(hqAt(130, debited), lost, { how: 'refunded', note: '' })),
    ).toBe('ALREADY_RESOLVED')
    expect(await central.db('hq_audit').where({ action: 'debit.resolve', entity_key: lost })).toHaveLength(1)
  })
})
