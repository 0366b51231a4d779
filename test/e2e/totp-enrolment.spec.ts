import AxeBuilder from '@axe-core/playwright'
import { authenticator } from 'otplib'
import knex from 'knex'
import { expect, logIn, test, type Desk } from './desk'

/**
 * 承認用認証アプリの登録 on 職員設定, by keyboard as a supervisor does it: the password proves it is them
 * (central checks it again), then a code from the new key. A wrong password shows why in Japanese and
 * enrols nothing.
 */
async function enrolmentRows(desk: Desk) {
  const db = knex({ client: 'sqlite3', connection: { filename: desk.dbFile }, useNullAsDefault: true })
  try {
    return {
      staff: await db('staff').where({ staff_id: 'S001' }).first('totp_secret_sealed', 'totp_enrolled_at'),
      queued: await db('outbox').where({ name: 'staff.enrol_totp' }).count({ n: '*' }),
      audited: await db('audit').where({ action: 'staff.totp_enrol' }).count({ n: '*' }),
    }
  } finally {
    await db.destroy()
  }
}

test('a supervisor enrols an authenticator with their password; a wrong one enrols nothing', async ({
  page,
  desk,
}) => {
  await logIn(page, desk, 'S001', 'demo-S001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.getByRole('link', { name: '職員設定', exact: true }).click()
  await page.getByRole('button', { name: '再登録する' }).click()
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim()
  // Keyboard only: the password field has the focus, Tab to the code, Enter sends.
  await expect(page.getByTestId('totp-password')).toBeFocused()
  await expect(page.getByTestId('totp-password')).toHaveAttribute('type', 'password')
  await expect(page.getByTestId('totp-password')).toHaveAttribute('autocomplete', 'current-password')
  const before = await enrolmentRows(desk)

  await page.keyboard.type('not-my-password')
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('totp-code')).toBeFocused()
  await page.keyboard.type(authenticator.generate(secret))
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('totp-message')).toContainText(
    'パスワードが正しくありません。認証アプリは登録されていません。',
  )
  await page.screenshot({ path: 'test-results/totp-enrolment-wrong-password.png', fullPage: true })
  expect(await enrolmentRows(desk)).toEqual(before)
  // Every field is labelled for a screen reader too (axe: no serious or critical problem in the card).
  const axe = await new AxeBuilder({ page }).include('.td-totp').analyze()
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([])

  // The same key, now with the right password: enrolled.
  await expect(page.getByTestId('totp-password')).toBeFocused()
  await page.keyboard.type('demo-S001')
  await page.keyboard.press('Tab')
  await page.keyboard.type(authenticator.generate(secret))
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('totp-message')).toContainText('認証アプリを登録しました。')
  const after = await enrolmentRows(desk)
  expect(after.queued).toEqual([{ n: 1 }])
  expect(after.audited).toEqual([{ n: 1 }])
  expect(after.staff.totp_secret_sealed).not.toBe(before.staff.totp_secret_sealed)

  // English second: the same field, named in English.
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('button', { name: 'Enrol again' }).click()
  await expect(page.getByText('Password', { exact: true })).toBeVisible()
  await page.screenshot({ path: 'test-results/totp-enrolment-en.png', fullPage: true })
})
