import { afterEach, beforeEach, expect, it } from 'vitest'
import { tempApp, type TempApp } from '../support/tempApp'
import { login } from '../support/counter'

type AuditPage = { total: number; items: { action: string; actor: string }[] }
async function audit(action: string): Promise<AuditPage> {
  const result = await app.invoke('sup', 'audit.list', { action })
  if (!result.ok) throw new Error(result.error.code)
  return result.value as AuditPage
}

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
  expect((await audit('auth.login')).items.map((i) => i.action)).toEqual(['auth.login', 'auth.login'])
  expect((await audit('auth.login_failed')).items.map((i) => [i.action, i.actor])).toEqual([
    ['auth.login_failed', 'T001'],
  ])
  expect((await audit('auth.')).total).toBe(3)
})
