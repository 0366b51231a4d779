import { demoBank, expect, logIn, logOut, test, type Desk } from './desk'
import type { Page } from '@playwright/test'

const inUse = demoBank.customers.filter((c) => c.otpStatus === 'in_use')
/** Paper (書面) is for hard tokens only (the bank's guide). */
const inUseHard = inUse.filter((c) => c.tokens.some((t) => t.kind === 'hard'))

async function recordPaperRevocation(page: Page, desk: Desk, cif: string): Promise<void> {
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${cif}`))
  await page.getByTestId('start-revocation').click()
  await page.getByTestId('revocation-channel').selectOption('paper')
  await page.getByTestId('revocation-reason').selectOption('unneeded')
  await page.getByTestId('revocation-form-no').fill('F-2026-0101')
  await page.getByTestId('revocation-received-on').fill('2026-11-20')
  await page.getByTestId('revocation-seal').check()
  await page.getByTestId('revocation-submit').click()
  await expect(page.getByTestId('revocation-recorded')).toContainText('役席者の承認を待っています')
  await expect(page.getByTestId('revocation-due')).toContainText('2026年12月4日')
}

test('a teller records a paper revocation and a supervisor approves it in the inbox', async ({
  page,
  desk,
}) => {
  const customer = inUseHard[0]!
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await recordPaperRevocation(page, desk, customer.cif)
  await logOut(page)

  await logIn(page, desk, 'S001', 'demo-S001')
  await page.getByTestId('nav-approvals').click()
  await page.getByTestId(`inbox-open-${customer.cif}`).click()
  await expect(page.getByTestId('revocation-card')).toContainText('山田 花子')
  await page.getByTestId('inbox-approve').click()
  await expect(page.getByRole('alert')).toContainText('利用解除手続中')
  await expect(page.getByTestId('inbox-empty')).toBeVisible()

  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
  await expect(page.getByTestId('otp-status')).toHaveText('利用解除手続中')
  await expect(page.getByTestId('revocation-due')).toContainText('2026年12月4日')
  await expect(page.getByTestId('revocation-state')).toHaveText('本部手続中')
  await expect(page.getByTestId('revocation-timeline')).toContainText('役席承認（S001）')
  await page.screenshot({ path: 'test-results/revocation-approved.png', fullPage: true })
})

test('an emergency suspension stops the token at once and leads to the revocation form', async ({
  page,
  desk,
}) => {
  const customer = inUse[1]!
  await logIn(page, desk, 'T002', 'demo-T002')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
  await page.getByTestId('start-suspension').click()
  await page.getByTestId('suspend-lost').check()
  await page.getByTestId('suspend-submit').click()
  await expect(page.getByTestId('revocation-reason')).toHaveValue('lost')
  await page.getByTestId('revocation-identity').selectOption('passport')
  await page.getByTestId('revocation-last4').fill('AB12')
  await page.getByTestId('revocation-submit').click()
  await expect(page.getByTestId('revocation-recorded')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
  await expect(page.getByTestId('otp-status')).toHaveText('緊急停止中')
  await expect(page.getByTestId('revocation-state')).toHaveText('役席承認待ち')
})

test('a supervisor rejects a revocation with a reason', async ({ page, desk }) => {
  const customer = inUseHard[2]!
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await recordPaperRevocation(page, desk, customer.cif)
  await logOut(page)

  await logIn(page, desk, 'S002', 'demo-S002')
  await page.getByTestId('nav-approvals').click()
  await page.getByTestId(`inbox-open-${customer.cif}`).click()
  await page.getByTestId('inbox-reject-reason').fill('届出印が一致しません')
  await page.getByTestId('inbox-reject').click()
  await expect(page.getByRole('alert')).toContainText('却下しました')

  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
  await expect(page.getByTestId('otp-status')).toHaveText('利用中')
  await expect(page.getByTestId('revocation-state')).toHaveText('却下')
  await expect(page.getByTestId('revocation-card')).toContainText('届出印が一致しません')
})
