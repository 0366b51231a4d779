import { expect, logIn, test } from './desk'

test.use({ idleLockSeconds: 3 })

test('the screen locks after the configured idle time and unlocks with the same password', async ({
  page,
  desk,
}) => {
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await expect(page.getByTestId('lock-screen')).toBeVisible({ timeout: 8_000 })
  await expect(page.getByTestId('lock-screen')).toContainText('画面ロック中')
  await page.screenshot({ path: 'test-results/idle-lock.png' })

  const password = page.getByTestId('unlock-password')
  await password.fill('not-the-password')
  await password.press('Enter')
  await expect(page.getByTestId('lock-screen').getByRole('alert')).toContainText('正しくありません')
  await password.fill('demo-T001')
  await password.press('Enter')
  await expect(page.getByTestId('lock-screen')).toHaveCount(0)
  await expect(page.getByTestId('tile-lookup')).toBeVisible()
})
