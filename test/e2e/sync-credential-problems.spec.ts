import knex from 'knex'
import { authenticator } from 'otplib'
import { centralCliWithStdin, demoCentral } from './central'
import { enrolAtCentral, expect, logIn, logOut, syncNow, test, type Desk } from './desk'

/**
 * 同期エラー for a credential change central refused: no 再送 (the password and key were not kept, and the
 * same ones would be refused again), a hint that the person does it again, and 却下を受け入れる still works.
 */
async function problemRows(desk: Desk) {
  const db = knex({ client: 'sqlite3', connection: { filename: desk.dbFile }, useNullAsDefault: true })
  try {
    return await db('sync_problems').select('*')
  } finally {
    await db.destroy()
  }
}

test('a refused authenticator enrolment is not offered 再送; the person is asked to do it again', async ({
  page,
  desk,
}) => {
  const central = await demoCentral()
  try {
    await central.start()
    await enrolAtCentral(page, desk, central.url, central.enrollmentCode())

    // S002 enrols an authenticator at the PC while it cannot reach central, and HQ resets their password
    // meanwhile: when the enrolment arrives, central refuses it (the password it carries is no longer theirs).
    await central.stop()
    await logIn(page, desk, 'S002', 'demo-S002')
    await expect(page.getByTestId('current-staff')).toBeVisible()
    await page.getByRole('link', { name: '職員設定', exact: true }).click()
    await page.getByRole('button', { name: /^(再)?登録する$/ }).click()
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim()
    await page.getByTestId('totp-password').fill('demo-S002')
    await page.getByTestId('totp-code').fill(authenticator.generate(secret))
    await page.getByTestId('totp-confirm').click()
    await expect(page.getByTestId('totp-message')).toContainText('認証アプリを登録しました。')
    centralCliWithStdin(central.dbFile, 'Temporary-2026\n', 'staff', 'reset-password', '--id', 'S002')
    await central.start()
    await syncNow(page)
    await logOut(page)

    await logIn(page, desk, 'S001', 'demo-S001')
    await expect(page.getByTestId('current-staff')).toBeVisible()
    await page.goto(desk.url.replace(/\?token=.*$/, '#/sync'))
    const problems = page.getByTestId('sync-problems')
    await expect(problems).toContainText('S002の承認用認証アプリ登録')
    await expect(page.getByTestId('sync-problem-redo')).toHaveText(
      'パスワード変更・認証アプリの登録は、ご本人がもう一度行ってください。',
    )
    await expect(problems.getByRole('button', { name: '再送' })).toHaveCount(0)
    await expect(problems).not.toContainText('sealed:')
    await page.screenshot({ path: 'test-results/sync-credential-problem.png', fullPage: true })
    const [row] = await problemRows(desk)
    expect(row.args_json).not.toContain('sealed:')
    expect(row.args_json).not.toContain(secret)

    await page.getByRole('textbox', { name: '対応内容' }).fill('ご本人に再登録を依頼')
    await problems.getByRole('button', { name: '却下を受け入れる' }).click()
    await expect(problems).toContainText('ご本人に再登録を依頼')
    await expect(page.getByTestId('sync-problem-redo')).toHaveCount(0)
    expect((await problemRows(desk))[0]).toMatchObject({ resolution: 'accept', resolved_by: 'S001' })

    await page.getByRole('button', { name: 'English' }).click()
    await expect(problems).toContainText('Authenticator enrolment of S002')
  } finally {
    await central.close()
  }
})
