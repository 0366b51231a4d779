import { addStaff } from '../../src/central/staffAdmin'
import { CLI_ACTOR } from '../../src/central/hqActor'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SyncClient } from '../../src/main/sync/client'
import { CENTRAL_ENGINES, restartCentral, startCentral, type TestCentral } from '../support/central'
import { tempApp, type TempApp } from '../support/tempApp'
import { approvalBy, customerIn, issueHard, login, stockToken } from '../support/counter'

describe.each(CENTRAL_ENGINES)('a branch and a real central (%s)', (engine) => {
  let central: TestCentral
  let branch: TempApp

  beforeEach(async () => {
    central = await startCentral(engine)
    branch = await tempApp()
    // Central's version of the demo bank and the branch's are the same data: enrol, then a first sync.
    await branch.services.syncClient.enroll({
      centralUrl: central.url,
      enrollmentCode: await central.enrollmentCode(),
      workstationName: 'pc1',
    })
    await branch.services.syncClient.syncOnce()
    await login(branch, 'pc', 'T001')
  })
  afterEach(async () => {
    await branch.close()
    await central.close()
  })

  const sync = () => branch.services.syncClient.syncOnce()

  it('keeps working while central is down, then drains on its own', async () => {
    await central.stop()
    const cif = await customerIn(branch, 'not_applied')
    const serial = stockToken('hotp')
    const issued = await issueHard(branch, 'pc', cif, serial, { method: 'cash', tenderedYen: 1100 })
    expect(issued.ok).toBe(true)
    await expect(sync()).rejects.toThrow(/unreachable/)
    expect(await branch.services.sync.status()).toMatchObject({
      outboxDepth: 1,
      lastError: expect.stringMatching(/unreachable/),
    })

    await restartCentral(central)
    await sync()
    expect(await central.db('customers').where({ cif }).first()).toMatchObject({ otp_status: 'token_issued' })
    expect(await central.db('inventory').where({ serial }).first()).toMatchObject({ state: 'issued' })
    expect(await branch.services.sync.status()).toMatchObject({
      outboxDepth: 0,
      lastError: null,
      openProblems: 0,
    })
    // The issued device's seed is gone from the branch once central has the issuance.
    expect(await branch.services.db('inventory').where({ serial }).first()).toMatchObject({
      state: 'issued',
      seed_sealed: null,
    })
  })

  it('does not apply a mutation twice when the branch dies between push and acknowledgement', async () => {
    const cif = await customerIn(branch, 'in_use')
    await branch.invoke('pc', 'revocations.suspend', { cif, reason: 'lost' })
    let crashed = false
    // The push reaches central, then the PC dies: neither its acknowledgement nor a pull lands.
    const crashAfterPush: typeof fetch = async (url, init) => {
      if (crashed) throw new Error('the PC is down')
      const response = await fetch(url, init)
      if (String(url).endsWith('/v1/sync/push')) {
        crashed = true
        throw new Error('killed before the acknowledgement was stored')
      }
      return response
    }
    const internals = branch.services.syncClient as unknown as { secretBox: never; audit: never }
    const dying = new SyncClient(
      branch.services.db,
      branch.clock,
      internals.secretBox,
      branch.services.outbox,
      branch.services.mutations,
      internals.audit,
      crashAfterPush,
    )
    await expect(dying.syncOnce()).rejects.toThrow()
    expect(await branch.services.db('outbox').count({ n: '*' })).toEqual([{ n: 1 }])
    await sync()
    const applied = await central.db('mutations').where({ name: 'token.suspend' })
    expect(applied).toHaveLength(1)
    expect(applied[0].status).toBe('applied')
    expect(await branch.services.db('outbox').count({ n: '*' })).toEqual([{ n: 0 }])
  })

  it('brings HQ’s completion of a revocation back as 利用解除済', async () => {
    const cif = await customerIn(branch, 'in_use')
    const recorded = await branch.invoke('pc', 'revocations.request', {
      cif,
      channel: 'paper',
      reason: 'unneeded',
      paper: { formNo: 'F-9', receivedOn: '2026-11-20', sealChecked: true },
    })
    if (!recorded.ok) throw new Error(recorded.error.message)
    const id = (recorded.value as { id: string }).id
    const approved = await branch.invoke('pc', 'revocations.approve', {
      requestId: id,
      approval: approvalBy(branch, 'S001'),
    })
    expect(approved, JSON.stringify(approved)).toMatchObject({ ok: true })
    await sync()
    expect(await central.hq.listRevocations('pending')).toMatchObject([
      { id, cif, state: 'awaiting_central' },
    ])
    await central.hq.completeRevocation(id)
    await sync()
    expect(await branch.services.db('customers').where({ cif }).first()).toMatchObject({
      otp_status: 'revoked',
    })
    expect(await branch.services.revocations.get(id)).toMatchObject({
      state: 'completed',
      decidedBy: 'central',
    })
    expect(
      await branch.services.db('audit').where({ action: 'revocation.complete', actor: 'central' }),
    ).toHaveLength(1)
  })

  it('puts a mutation central rejects on the sync problems list, for a supervisor to resolve', async () => {
    const cif = await customerIn(branch, 'in_use')
    // HQ suspended the customer meanwhile; the branch does not know yet.
    await central.db('customers').where({ cif }).update({ otp_status: 'revoked' })
    await branch.invoke('pc', 'revocations.suspend', { cif, reason: 'stolen' })
    await sync()
    const status = await branch.services.sync.status()
    expect(status).toMatchObject({ outboxDepth: 0, openProblems: 1 })
    await login(branch, 'sup', 'S001')
    const queue = await branch.invoke('sup', 'sync.queue', {})
    expect(queue).toMatchObject({
      ok: true,
      value: { problems: [{ name: 'token.suspend', code: 'INVALID_STATE', resolvedAt: null }] },
    })
    const problemId = (queue as { value: { problems: { id: number }[] } }).value.problems[0]!.id
    expect(
      await branch.invoke('pc', 'sync.resolveProblem', {
        id: problemId,
        action: 'accept',
        note: '本部で解除済み',
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const resolved = await branch.invoke('sup', 'sync.resolveProblem', {
      id: problemId,
      action: 'accept',
      note: '本部で解除済み',
    })
    expect(resolved).toMatchObject({
      ok: true,
      value: { problems: [{ resolution: 'accept', resolvedBy: 'S001' }] },
    })
    expect(await branch.services.sync.status()).toMatchObject({ openProblems: 0 })
  })

  it('brings HQ’s news: new stock with seeds, 利用開始, and new staff', async () => {
    const seed = Buffer.from('12345678901234567890', 'ascii')
    await central.hq.addStockTokens([
      { serial: 'NEW-0001', algorithm: 'hotp', digits: 8, period: null, seed },
    ])
    await central.hq.allocateTokens('001', { serials: ['NEW-0001'] })
    const issued = await central
      .db('customers')
      .where({ otp_status: 'token_issued', branch_code: '001' })
      .first()
    await central.hq.activateCustomer(issued.cif)
    await addStaff(central.db, CLI_ACTOR, {
      branch: '001',
      staffId: 'T003',
      name: '新人 太郎',
      role: 'teller',
      password: 'Welcome-2026',
    })
    await sync()

    const stock = await branch.services.db('inventory').where({ serial: 'NEW-0001' }).first()
    expect(stock).toMatchObject({ state: 'in_stock', digits: 8 })
    expect(stock.seed_sealed).toMatch(/^v1\./)
    // The seed arrived intact: the device check accepts RFC 4226's first 8-digit value.
    const cif = await customerIn(branch, 'not_applied')
    expect(
      await branch.invoke('pc', 'issuance.verifyDevice', { cif, serial: 'NEW-0001', otp: '84755224' }),
    ).toMatchObject({ ok: true })
    expect(await branch.services.db('customers').where({ cif: issued.cif }).first()).toMatchObject({
      otp_status: 'in_use',
    })
    expect(
      await branch.invoke('pc3', 'auth.login', { staffId: 'T003', password: 'Welcome-2026' }),
    ).toMatchObject({ ok: true })
  })

  it('exports what waits to be sent, as a last resort', async () => {
    await central.stop()
    const cif = await customerIn(branch, 'in_use')
    await branch.invoke('pc', 'revocations.suspend', { cif, reason: 'lost' })
    await login(branch, 'sup', 'S001')
    const exported = await branch.invoke('sup', 'sync.exportOutbox', {})
    if (!exported.ok) throw new Error(exported.error.message)
    const file = JSON.parse((exported.value as { content: string }).content)
    expect(file).toMatchObject({
      mutations: [{ name: 'token.suspend', args: { cif, reason: 'lost' }, actor: 'T001' }],
    })
    expect(await branch.invoke('pc', 'sync.exportOutbox', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })

  it('refuses a central URL that is plain http off the loopback address', async () => {
    await expect(
      branch.services.syncClient.enroll({
        centralUrl: 'http://central.example.jp',
        enrollmentCode: 'whatever',
        workstationName: 'pc',
      }),
    ).rejects.toThrow(/https/)
  })
})
