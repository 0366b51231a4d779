import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { login } from '../support/counter'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
})
afterEach(() => app.close())

describe('a password change', () => {
  it('ends the person’s other sessions and keeps the one it was made in', async () => {
    await login(app, 'window-a', 'T001')
    await login(app, 'window-b', 'T001')
    await login(app, 'colleague', 'T002')
    const changed = await app.invoke('window-a', 'auth.changePassword', {
      currentPassword: 'demo-T001',
      newPassword: 'new-pass-2026',
    })
    expect(changed.ok, JSON.stringify(changed)).toBe(true)
    expect(await app.invoke('window-b', 'customers.getByCif', { cif: '1000001' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
    expect(await app.invoke('window-a', 'customers.getByCif', { cif: '1000001' })).toMatchObject({ ok: true })
    expect(await app.invoke('colleague', 'customers.getByCif', { cif: '1000001' })).toMatchObject({
      ok: true,
    })
    // The old password no longer opens a session; the new one does.
    expect(await app.invoke('x', 'auth.login', { staffId: 'T001', password: 'demo-T001' })).toMatchObject({
      ok: false,
    })
    expect(await app.invoke('y', 'auth.login', { staffId: 'T001', password: 'new-pass-2026' })).toMatchObject(
      {
        ok: true,
      },
    )
  })
})
