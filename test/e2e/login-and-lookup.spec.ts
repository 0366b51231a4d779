import { expect, logIn, test } from './desk'

test('a wrong password shows a Japanese error and no session starts', async ({ page, desk }) => {
  await logIn(page, desk, 'T001', 'wrong-password-1')
  await expect(page.getByTestId('login-error')).toContainText('職員番号またはパスワードが正しくありません')
  await expect(page.getByTestId('current-staff')).toHaveCount(0)
})

test('five wrong passwords lock the account, and then even the right one is refused', async ({
  page,
  desk,
}) => {
  await page.goto(desk.url)
  const staff = page.getByTestId('login-staff-id')
  const password = page.getByTestId('login-password')
  await staff.fill('T002')
  for (let i = 1; i <= 4; i++) {
    await password.fill(`wrong-${i}`)
    await password.press('Enter')
    await expect(page.getByTestId('login-error')).toContainText('正しくありません')
  }
  await password.fill('wrong-5')
  await password.press('Enter')
  await expect(page.getByTestId('login-error')).toContainText('15分間ロックされています')
  await password.fill('demo-T002')
  await password.press('Enter')
  await expect(page.getByTestId('login-error')).toContainText('15分間ロックされています')
  await expect(page.getByTestId('current-staff')).toHaveCount(0)
})

test('a teller logs in, looks up a CIF by keyboard and sees the OTP status', async ({ page, desk }) => {
  await logIn(page, desk, 't001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toContainText('山田 花子（担当者）')
  await page.getByTestId('tile-lookup').click()
  const cif = page.getByTestId('search-query')
  await expect(cif).toBeFocused()
  // Full-width digits, as a Japanese IME types them.
  await cif.fill('１０００００５')
  await cif.press('Enter')
  await expect(page).toHaveURL(/#\/customers\/1000005$/)
  await expect(page.getByTestId('customer-name')).toHaveText('村上 恵子')
  await expect(page.getByTestId('otp-status')).toHaveText('未申請')
  await page.screenshot({ path: 'test-results/customer-detail.png', fullPage: true })
})

test('an unknown CIF says so in Japanese', async ({ page, desk }) => {
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, '#/customers/9999999'))
  await expect(page.getByRole('alert')).toContainText('該当するお客さまが見つかりません')
})
