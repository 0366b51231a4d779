import { afterEach, beforeEach, expect, it } from 'vitest'
import { tempApp, type TempApp } from '../support/tempApp'
import { login } from '../support/counter'

/** The audit viewer picks one action from a list of labels; a family is asked for with a trailing dot. */
let app: TempApp
beforeEach(async () => {
  app = await tempApp()
})
afterEach(() => app.close())

it('filters one action exactly (auth.login is not auth.login_failed), or a family by its prefix', async () => {
  expect(await app.invoke('pc', 'auth.login', { staffId: 'T001', password: 'wrong-password' })).toMatchObject(
    {
      ok: false,
    },
  )
  await login(app, 'pc', 'T001')
  await login(app, 'sup', 'S001')
  const exact = await app.invoke('sup', 'audit.list', { action: 'auth.login' })
  expect(exact.ok && exact.value.items.map((i) => i.action)).toEqual(['auth.login', 'auth.login'])
  const failed = await app.invoke('sup', 'audit.list', { action: 'auth.login_failed' })
  expect(failed.ok && failed.value.items.map((i) => [i.action, i.actor])).toEqual([
    ['auth.login_failed', 'T001'],
  ])
  const family = await app.invoke('sup', 'audit.list', { action: 'auth.' })
  expect(family.ok && family.value.total).toBe(3)
})
