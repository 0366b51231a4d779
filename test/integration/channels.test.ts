import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../src/core/auditChain'
import { snapshot, tempApp, type TempApp } from '../support/tempApp'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
})
afterEach(() => app.close())

async function loginAs(client: string, staffId: string): Promise<void> {
  const result = await app.invoke(client, 'auth.login', { staffId, password: `demo-${staffId}` })
  expect(result.ok).toBe(true)
}

describe('the handler table', () => {
  it('refuses an unknown channel', async () => {
    expect(await app.invoke('c', 'customers.drop', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    })
  })

  it('asks for a login before any non-public channel', async () => {
    const result = await app.invoke('c', 'customers.getByCif', { cif: '1000001' })
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
  })

  it.each([
    ['a wrong type', { cif: 1000001 }],
    ['a short CIF', { cif: '12345' }],
    ['an extra key', { cif: '1000001', sql: 'DROP TABLE customers' }],
    ['no input at all', null],
    ['an array', ['1000001']],
  ])('answers malformed input (%s) with VALIDATION and changes nothing', async (_label, input) => {
    await loginAs('c', 'T001')
    const before = await snapshot(app.services.db)
    const result = await app.invoke('c', 'customers.getByCif', input)
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await snapshot(app.services.db)).toBe(before)
  })

  it('names the bad field in a VALIDATION error', async () => {
    await loginAs('c', 'T001')
    const result = await app.invoke('c', 'customers.getByCif', { cif: 'abc' })
    expect(result).toMatchObject({ ok: false, error: { fields: { cif: expect.any(String) } } })
  })

  it('refuses a malformed login with VALIDATION and counts no failure', async () => {
    const before = await snapshot(app.services.db)
    const result = await app.invoke('c', 'auth.login', { staffId: "T001' OR 1=1 --", password: 'x' })
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await snapshot(app.services.db)).toBe(before)
  })

  it('gives a teller FORBIDDEN on a supervisor-only channel, and changes nothing', async () => {
    await loginAs('c', 'T001')
    const before = await snapshot(app.services.db)
    expect(await app.invoke('c', 'auth.totpEnrolStart', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await app.invoke('c', 'settings.update', { idleLockSeconds: 600 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await snapshot(app.services.db)).toBe(before)
  })

  it('keeps an admin away from counter work', async () => {
    await loginAs('c', 'A001')
    const result = await app.invoke('c', 'customers.getByCif', { cif: '1000001' })
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })

  it('looks a customer up by CIF with the status, token and accounts', async () => {
    await loginAs('c', 'T001')
    const withToken = await app.services.db('customers').where({ otp_status: 'in_use' }).first()
    const result = await app.invoke('c', 'customers.getByCif', { cif: withToken.cif })
    expect(result).toMatchObject({
      ok: true,
      value: { cif: withToken.cif, otpStatus: 'in_use', token: { state: 'active' } },
    })
    if (result.ok) expect((result.value as { accounts: unknown[] }).accounts.length).toBeGreaterThan(0)
    const missing = await app.invoke('c', 'customers.getByCif', { cif: '9999999' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('keeps sessions apart per client', async () => {
    await loginAs('teller-pc', 'T001')
    expect(await app.invoke('other-tab', 'customers.getByCif', { cif: '1000001' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
  })

  it('lets an admin change the idle lock, and audits it', async () => {
    await loginAs('c', 'A001')
    expect(await app.invoke('c', 'settings.update', { idleLockSeconds: 600 })).toEqual({
      ok: true,
      value: { idleLockSeconds: 600 },
    })
    expect(await app.invoke('c', 'settings.update', { idleLockSeconds: 5 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    })
    const audit = await app.services.db('audit').where({ action: 'settings.update' })
    expect(audit).toHaveLength(1)
    expect(await verifyAuditChain(app.services.db, 'audit')).toMatchObject({ ok: true })
  })
})
