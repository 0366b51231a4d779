import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { authenticator } from 'otplib'
import { CLI_ACTOR } from '../../src/central/hqActor'
import { disableStaff, resetStaffPassword, setStaffRole } from '../../src/central/staffAdmin'
import { startCentral, type TestCentral } from '../support/central'
import { loginAt, setUpPc, type BranchPc } from '../support/branchPcs'
import { approvalBy, issueHard, stockToken } from '../support/counter'

/**
 * Issue 8's nine problems, each as it showed with a central and two PCs of one branch (SQLite central;
 * the protocol tests run central on PostgreSQL too).
 */
describe('a branch of several PCs and a real central', () => {
  let central: TestCentral
  let pc1: BranchPc
  let pc2: BranchPc

  beforeEach(async () => {
    central = await startCentral('sqlite')
    pc1 = await setUpPc(central, 'pc1')
    pc2 = await setUpPc(central, 'pc2')
    await loginAt(pc1, 't', 'T001')
    await loginAt(pc2, 't', 'T002')
  })
  afterEach(async () => {
    await pc1.close()
    await pc2.close()
    await central.close()
  })

  const centralCustomer = async (cif: string) =>
    (await central.db('customers').where({ cif }).first()).otp_status
  const localCustomer = async (pc: BranchPc, cif: string) =>
    (await pc.services.db('customers').where({ cif }).first()).otp_status
  async function cifsIn(status: string, count: number, offset = 0): Promise<string[]> {
    return central
      .db('customers')
      .where({ otp_status: status })
      .orderBy('cif')
      .offset(offset)
      .limit(count)
      .pluck('cif')
  }

  it('problem 1: receipt numbers of two PCs never collide, and every receipt reaches central once', async () => {
    pc1.online = false
    pc2.online = false
    const [a, b] = await cifsIn('not_applied', 2)
    const first = await issueHard(pc1, 't', a!, stockToken('hotp', 0), { method: 'cash', tenderedYen: 1100 })
    const second = await issueHard(pc2, 't', b!, stockToken('hotp', 1), { method: 'cash', tenderedYen: 2000 })
    const numbers = [first, second].map(
      (r) => (r as { value: { receipt: { receiptNo: string } } }).value.receipt.receiptNo,
    )
    expect(numbers[0]).toMatch(/^001-01-\d{8}-0001$/)
    expect(numbers[1]).toMatch(/^001-02-\d{8}-0001$/)
    pc1.online = true
    pc2.online = true
    await pc1.sync()
    await pc2.sync()
    expect((await central.db('receipts').orderBy('receipt_no')).map((r) => r.receipt_no)).toEqual(
      numbers.sort(),
    )
    for (const pc of [pc1, pc2])
      expect(await pc.services.sync.status()).toMatchObject({ outboxDepth: 0, openProblems: 0 })
  })

  it('problem 2: a suspension made offline after an issuance stays suspended everywhere', async () => {
    const [cif] = await cifsIn('not_applied', 1)
    pc1.online = false
    await issueHard(pc1, 't', cif!, stockToken('totp', 0), { method: 'cash', tenderedYen: 1100 })
    pc1.clock.advance(60_000)
    expect(await pc1.invoke('t', 'revocations.suspend', { cif, reason: 'lost' })).toMatchObject({ ok: true })
    pc1.online = true
    await pc1.sync()
    await pc2.sync()
    expect(await centralCustomer(cif!)).toBe('suspended')
    expect(await localCustomer(pc1, cif!)).toBe('suspended')
    expect(await localCustomer(pc2, cif!)).toBe('suspended')
    expect(await central.db('mutations').where({ status: 'rejected' })).toEqual([])
  })

  it('problem 2: a suspension still goes ahead of other customers’ queued work', async () => {
    const [other] = await cifsIn('not_applied', 1)
    const [lost] = await cifsIn('in_use', 1)
    pc1.online = false
    await issueHard(pc1, 't', other!, stockToken('totp', 0), { method: 'cash', tenderedYen: 1100 })
    await expect(pc1.sync()).rejects.toThrow(/offline/) // a try while offline numbers nothing for good
    await pc1.invoke('t', 'revocations.suspend', { cif: lost, reason: 'stolen' })
    pc1.online = true
    await pc1.sync()
    const applied = await central.db('mutations').orderBy('id').pluck('name')
    expect(applied).toEqual(['token.suspend', 'token.issue_hard'])
  })

  it('problem 3: a member disabled at HQ cannot log in after the next pull, and open sessions end', async () => {
    await disableStaff(central.db, CLI_ACTOR, { staffId: 'T001' })
    await pc1.sync()
    expect(await pc1.invoke('t', 'customers.search', { query: 'ヤマ', page: 1 })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
    expect(await pc1.invoke('again', 'auth.login', { staffId: 'T001', password: 'demo-T001' })).toMatchObject(
      {
        ok: false,
        error: { code: 'INVALID_CREDENTIALS' },
      },
    )
    expect(await pc1.services.db('staff').where({ staff_id: 'T001' }).first()).toBeUndefined()
  })

  it('problem 3: a role change applies to an open session at its next call', async () => {
    await setStaffRole(central.db, CLI_ACTOR, { staffId: 'T002', role: 'admin' })
    await pc2.sync()
    expect(await pc2.invoke('t', 'customers.search', { query: 'ヤマ', page: 1 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })

  it('problem 3: clear on a first pull drops what central does not have', async () => {
    await pc1.services.db('staff').insert({
      staff_id: 'X999',
      branch_code: '001',
      name: '残骸',
      role: 'supervisor',
      password_hash: 'scrypt$1$1$1$AA==$AA==',
      updated_at: '2026-11-25T00:00:00Z',
    })
    await pc1.services.syncClient.enroll({
      centralUrl: central.url,
      enrollmentCode: await central.enrollmentCode(),
      workstationName: 'pc1 again',
    })
    await pc1.sync()
    expect(await pc1.services.db('staff').where({ staff_id: 'X999' }).first()).toBeUndefined()
    expect(await pc1.services.db('staff').where({ staff_id: 'T001' }).first()).toBeDefined()
  })

  it('problem 4: re-enrolment with queued work starts a new client cleanly and drains', async () => {
    const [cif] = await cifsIn('in_use', 1)
    pc1.online = false
    await pc1.invoke('t', 'revocations.suspend', { cif, reason: 'lost' })
    pc1.online = true
    await pc1.services.syncClient.enroll({
      centralUrl: central.url,
      enrollmentCode: await central.enrollmentCode(),
      workstationName: 'pc1 rebuilt',
    })
    await pc1.sync()
    expect(await pc1.services.sync.status()).toMatchObject({
      outboxDepth: 0,
      lastError: null,
      workstationNo: '03',
    })
    expect(await centralCustomer(cif!)).toBe('suspended')
    const clients = await central.db('clients').where({ workstation_name: 'pc1 rebuilt' })
    expect(clients).toMatchObject([{ last_mutation_id: 1 }])
  })

  it('problem 5: a pull that lands while local work waits never shows central’s older state', async () => {
    const [cif] = await cifsIn('in_use', 1)
    const request = await pc1.invoke('t', 'revocations.request', {
      cif,
      channel: 'in_person',
      reason: 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
    })
    const id = (request as { value: { id: string } }).value.id
    pc1.clock.advance(31_000)
    expect(
      await pc1.invoke('t', 'revocations.approve', { requestId: id, approval: approvalBy(pc1, 'S001') }),
    ).toMatchObject({ ok: true })
    // Central changes the same customer (a new phone number) while the pushes fail: the pull brings
    // the customer's row as central has it, without the pending approval.
    await central.db('customers').where({ cif }).update({ phone: '090-0000-0000', version: 999_999 })
    await central.db('meta').where({ key: 'version' }).update({ value: 999_999 })
    const pullOnly: typeof fetch = (url, init) =>
      String(url).endsWith('/push') ? Promise.reject(new Error('push lost')) : fetch(url, init)
    const internals = pc1.services.syncClient as unknown as { fetchImpl: typeof fetch }
    const real = internals.fetchImpl
    internals.fetchImpl = pullOnly
    await expect(pc1.sync()).rejects.toThrow(/push lost/)
    internals.fetchImpl = real
    const row = await pc1.services.db('customers').where({ cif }).first()
    expect(row).toMatchObject({ phone: '090-0000-0000', otp_status: 'revocation_pending' })
    expect(await pc1.services.revocations.get(id)).toMatchObject({ state: 'awaiting_central' })
    await pc1.sync()
    expect(await centralCustomer(cif!)).toBe('revocation_pending')
  })

  /** Pushes fail, pulls work: what a PC sees when a pull lands while its work waits. */
  async function pullOnlySync(pc: BranchPc): Promise<void> {
    const internals = pc.services.syncClient as unknown as { fetchImpl: typeof fetch }
    const real = internals.fetchImpl
    internals.fetchImpl = (url, init) =>
      String(url).endsWith('/push') ? Promise.reject(new Error('push lost')) : fetch(url, init)
    try {
      await expect(pc.sync()).rejects.toThrow(/push lost/)
    } finally {
      internals.fetchImpl = real
    }
  }

  it('problem 5: a pending issuance survives pulls (its own receipt does not count against it)', async () => {
    const [cif] = await cifsIn('not_applied', 1)
    const serial = stockToken('hotp', 2)
    await issueHard(pc1, 't', cif!, serial, { method: 'cash', tenderedYen: 1100 })
    await pullOnlySync(pc1)
    await pullOnlySync(pc1)
    expect(await localCustomer(pc1, cif!)).toBe('token_issued')
    expect(await pc1.services.db('inventory').where({ serial }).first()).toMatchObject({ state: 'issued' })
    expect(await pc1.services.db('outbox').first('rebase_code')).toEqual({ rebase_code: null })
    await pc1.sync()
    expect(await centralCustomer(cif!)).toBe('token_issued')
    expect(await pc1.services.sync.status()).toMatchObject({ outboxDepth: 0, openProblems: 0 })
  })

  it('problem 5: a void and a day close waiting to be sent survive a pull', async () => {
    const [cif] = await cifsIn('not_applied', 1)
    const issued = await issueHard(pc1, 't', cif!, stockToken('hotp', 3), {
      method: 'cash',
      tenderedYen: 1100,
    })
    const receiptNo = (issued as { value: { receipt: { receiptNo: string } } }).value.receipt.receiptNo
    pc1.clock.advance(31_000)
    expect(
      await pc1.invoke('t', 'ledger.void', {
        receiptNo,
        reason: '取扱誤り',
        approval: approvalBy(pc1, 'S001'),
      }),
    ).toMatchObject({ ok: true })
    pc1.clock.advance(31_000)
    expect(
      await pc1.invoke('t', 'ledger.closeDay', { countedYen: 0, approval: approvalBy(pc1, 'S001') }),
    ).toMatchObject({ ok: true })
    await pullOnlySync(pc1)
    expect(await pc1.invoke('t', 'ledger.day', {})).toMatchObject({
      ok: true,
      value: { voidCount: 1, expectedCashYen: 0, closed: { countedYen: 0 } },
    })
    await pc1.sync()
    expect(await central.db('receipts').where({ receipt_no: receiptNo }).first()).toMatchObject({
      voided_by: 'S001',
    })
    expect(await central.db('day_closes')).toHaveLength(1)
    expect(await pc1.services.sync.status()).toMatchObject({ outboxDepth: 0, openProblems: 0 })
  })

  it('a rejection whose push answer was lost still reaches 同期エラー', async () => {
    const [a, b] = await cifsIn('not_applied', 2)
    const serial = stockToken('totp', 4)
    pc2.online = false
    await issueHard(pc1, 't', a!, serial, { method: 'cash', tenderedYen: 1100 })
    await issueHard(pc2, 't', b!, serial, { method: 'cash', tenderedYen: 1100 })
    await pc1.sync()
    pc2.online = true
    // Central applies pc2's push (a rejection: the device went to pc1's customer), then the answer is lost.
    const internals = pc2.services.syncClient as unknown as { fetchImpl: typeof fetch }
    const real = internals.fetchImpl
    internals.fetchImpl = async (url, init) => {
      const response = await fetch(url, init)
      if (String(url).endsWith('/push')) throw new Error('answer lost')
      return response
    }
    await expect(pc2.sync()).rejects.toThrow(/answer lost/)
    internals.fetchImpl = real
    expect(await pc2.services.sync.status()).toMatchObject({ outboxDepth: 0, openProblems: 1 })
    const [problem] = await pc2.services.db('sync_problems')
    expect(problem).toMatchObject({ name: 'token.issue_hard', code: 'NOT_IN_STOCK' })
    expect(await localCustomer(pc2, b!)).toBe('not_applied')
    expect(await pc2.services.db('requests').where({ cif: b }).first()).toMatchObject({ state: 'refused' })
  })

  it('refuses a PC that sets another person’s password or authenticator, or debits under another PC’s numbers', async () => {
    const state = await pc1.services.db('sync_state').first()
    const secret = pc1.services.syncClient as unknown as { credentials(s: unknown): string }
    const auth = secret.credentials(state)
    const post = (path: string, body: unknown) =>
      fetch(`${central.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      })
    const before = (await central.db('staff').where({ staff_id: 'S001' }).first()).password_hash
    const forged = await post('/v1/sync/push', {
      clientId: state.client_id,
      schemaVersion: 1,
      mutations: [
        {
          id: 1,
          name: 'staff.change_password',
          args: {
            staffId: 'S001',
            passwordHash: before.replace(/.$/, 'A'),
            currentPassword: 'a guess',
            changedAt: '2026-11-25T01:00:00Z',
          },
          createdAt: '2026-11-25T01:00:00Z',
          actor: 'S001',
        },
      ],
    })
    expect(await forged.json()).toMatchObject({ results: [{ status: 'rejected', code: 'STALE_PASSWORD' }] })
    expect((await central.db('staff').where({ staff_id: 'S001' }).first()).password_hash).toBe(before)
    // Nor enrol an authenticator of its choosing for a supervisor (then it could forge their approvals).
    const authenticatorBefore = await central
      .db('staff')
      .where({ staff_id: 'S001' })
      .first('totp_secret_sealed')
    const enrol = await post('/v1/sync/push', {
      clientId: state.client_id,
      schemaVersion: 1,
      mutations: [
        {
          id: 2,
          name: 'staff.enrol_totp',
          args: {
            staffId: 'S001',
            totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DP',
            currentPassword: 'a guess',
            enrolledAt: '2026-11-25T01:00:00Z',
          },
          createdAt: '2026-11-25T01:00:00Z',
          actor: 'S001',
        },
      ],
    })
    expect(await enrol.json()).toMatchObject({ results: [{ status: 'rejected', code: 'STALE_PASSWORD' }] })
    expect(await central.db('staff').where({ staff_id: 'S001' }).first('totp_secret_sealed')).toEqual(
      authenticatorBefore,
    )
    const [cif] = await cifsIn('not_applied', 1)
    const account = (await central.db('core_accounts').where({ cif }).first()).account
    const balance = (await central.db('core_accounts').where({ account }).first()).balance_yen
    for (const body of [
      { receiptNo: '001-02-20261125-0001', amountYen: 1100 },
      { receiptNo: '001-01-20261125-0001', amountYen: 110_000 },
    ]) {
      const response = await post('/v1/debit', { clientId: state.client_id, cif, account, ...body })
      expect(response.status).toBeGreaterThanOrEqual(400)
    }
    expect((await central.db('core_accounts').where({ account }).first()).balance_yen).toBe(balance)
  })

  it('problem 7: an empty PC is set up with an enrolment code and staff log in with what HQ set', async () => {
    await resetStaffPassword(
      central.db,
      CLI_ACTOR,
      { staffId: 'T002', password: 'Temporary-2026' },
      new Date(),
    )
    const pc3 = await setUpPc(central, 'pc3')
    try {
      expect(await pc3.services.sync.status()).toMatchObject({ workstationNo: '03', outboxDepth: 0 })
      expect(await pc3.services.db('customers').count({ n: '*' })).toEqual([{ n: 2000 }])
      expect(
        await pc3.invoke('c', 'auth.login', { staffId: 'T002', password: 'Temporary-2026' }),
      ).toMatchObject({
        ok: true,
        value: { mustChangePassword: true },
      })
      expect(await pc3.invoke('c', 'customers.search', { query: 'ヤマ', page: 1 })).toMatchObject({
        ok: false,
        error: { code: 'PASSWORD_CHANGE_REQUIRED' },
      })
      expect(
        await pc3.invoke('c', 'auth.changePassword', {
          currentPassword: 'Temporary-2026',
          newPassword: 'Mine-2026x',
        }),
      ).toMatchObject({ ok: true })
      expect(await pc3.invoke('c', 'customers.search', { query: 'ヤマ', page: 1 })).toMatchObject({
        ok: true,
      })
    } finally {
      await pc3.close()
    }
  })

  it('problem 8: 口座振替 debits the account at central before the receipt exists, once per receipt', async () => {
    const accounts = await central
      .db('core_accounts')
      .where({ closed: false })
      .where('balance_yen', '>=', 1100)
    const customers = await central
      .db('customers')
      .whereIn(
        'cif',
        accounts.map((a) => a.cif),
      )
      .where({ otp_status: 'not_applied' })
    const cif = customers[0].cif as string
    const account = accounts.find((a) => a.cif === cif)!
    const before = Number(account.balance_yen)
    const result = await issueHard(pc1, 't', cif, stockToken('totp', 0), {
      method: 'account_debit',
      account: account.account,
    })
    expect(result).toMatchObject({ ok: true, value: { receipt: { method: 'account_debit' } } })
    const receiptNo = (result as { value: { receipt: { receiptNo: string } } }).value.receipt.receiptNo
    expect(
      Number((await central.db('core_accounts').where({ account: account.account }).first()).balance_yen),
    ).toBe(before - 1100)
    expect(await pc1.services.db('receipts').where({ receipt_no: receiptNo }).first()).toMatchObject({
      debit_account: account.account,
    })
    await pc1.sync()
    expect(await central.db('receipts').where({ receipt_no: receiptNo }).first()).toMatchObject({
      debit_account: account.account,
    })
    expect(await central.db('debits').where({ receipt_no: receiptNo })).toHaveLength(1)
  })

  it('problem 8: a balance below the fee or a closed account is refused before any receipt', async () => {
    const poor = await central
      .db('core_accounts')
      .where('balance_yen', '<', 1100)
      .where({ closed: false })
      .first()
    const closed = await central.db('core_accounts').where({ closed: true }).first()
    for (const [account, code] of [
      [poor, 'INSUFFICIENT_FUNDS'],
      [closed, 'ACCOUNT_CLOSED'],
    ] as const) {
      await central.db('customers').where({ cif: account.cif }).update({ otp_status: 'not_applied' })
      await pc1.services.db('customers').where({ cif: account.cif }).update({ otp_status: 'not_applied' })
      const receipts = await pc1.services.db('receipts').count({ n: '*' })
      const result = await issueHard(pc1, 't', account.cif, stockToken('hotp', 0), {
        method: 'account_debit',
        account: account.account,
      })
      expect(result).toMatchObject({ ok: false, error: { code } })
      expect(await pc1.services.db('receipts').count({ n: '*' })).toEqual(receipts)
      expect(await pc1.services.db('outbox').count({ n: '*' })).toEqual([{ n: 0 }])
    }
  })

  it('problem 9: a password changed at one PC works at the other; central keeps it', async () => {
    expect(
      await pc1.invoke('t', 'auth.changePassword', {
        currentPassword: 'demo-T001',
        newPassword: 'Changed-2026',
      }),
    ).toMatchObject({ ok: true })
    await pc1.sync()
    await pc2.sync()
    expect(await pc2.invoke('x', 'auth.login', { staffId: 'T001', password: 'Changed-2026' })).toMatchObject({
      ok: true,
    })
    expect(await pc2.invoke('y', 'auth.login', { staffId: 'T001', password: 'demo-T001' })).toMatchObject({
      ok: false,
    })
  })

  it('problem 9: a supervisor’s authenticator enrolled at one PC approves at another', async () => {
    await loginAt(pc1, 's', 'S002')
    const started = await pc1.invoke('s', 'auth.totpEnrolStart', {})
    const secret = (started as { value: { secret: string } }).value.secret
    const code = authenticator.clone({ epoch: pc1.clock.now().getTime() }).generate(secret)
    // The supervisor proves it with their password; central checks it again before it takes the secret.
    expect(
      await pc1.invoke('s', 'auth.totpEnrolConfirm', { code, currentPassword: 'demo-S002' }),
    ).toMatchObject({ ok: true })
    const queued = JSON.stringify(await pc1.services.db('outbox').select('args_json'))
    expect(queued).not.toContain(secret)
    expect(queued).not.toContain('demo-S002')
    await pc1.sync()
    expect(await central.db('mutations').where({ name: 'staff.enrol_totp' }).first()).toMatchObject({
      status: 'applied',
    })
    await pc2.sync()
    const [cif] = await cifsIn('in_use', 1)
    const request = await pc2.invoke('t', 'revocations.request', {
      cif,
      channel: 'in_person',
      reason: 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
    })
    const totp = authenticator.clone({ epoch: pc2.clock.now().getTime() }).generate(secret)
    expect(
      await pc2.invoke('t', 'revocations.approve', {
        requestId: (request as { value: { id: string } }).value.id,
        approval: { staffId: 'S002', password: 'demo-S002', totp },
      }),
    ).toMatchObject({ ok: true })
  })

  it('problem 9: central’s decisions carry central’s time, and mutations name tokens by their shared id', async () => {
    const [cif] = await cifsIn('in_use', 1)
    await pc1.invoke('t', 'revocations.suspend', { cif, reason: 'lost' })
    const [row] = await pc1.services.db('outbox').select('args_json')
    const args = JSON.parse(row.args_json)
    expect(args).not.toHaveProperty('tokenId')
    expect(args.tokenUid).toBe(
      (await central.db('tokens').where({ cif }).whereIn('state', ['issued', 'active']).first()).uid,
    )
    const request = await pc1.invoke('t', 'revocations.request', {
      cif,
      channel: 'in_person',
      reason: 'lost',
      identity: { kind: 'passport', last4: '1234' },
    })
    const id = (request as { value: { id: string } }).value.id
    pc1.clock.advance(31_000)
    await pc1.invoke('t', 'revocations.approve', { requestId: id, approval: approvalBy(pc1, 'S001') })
    await pc1.sync()
    await central.hq.completeRevocation(id)
    const decidedAt = (await central.db('requests').where({ id }).first()).decided_at as string
    await pc1.sync()
    expect(decidedAt).not.toBe(pc1.clock.now().toISOString())
    expect(await pc1.services.revocations.get(id)).toMatchObject({
      state: 'completed',
      decidedAt,
      decidedBy: 'central',
    })
    const token = await pc1.services.db('tokens').where({ uid: args.tokenUid }).first()
    expect(token).toMatchObject({ state: 'revoked', revoked_at: decidedAt })
  })
})
