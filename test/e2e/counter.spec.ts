import type { Page } from '@playwright/test'
import {
  approve,
  demoBank,
  deviceOtp,
  expect,
  issueWithCash,
  logIn,
  supervisorCode,
  test,
  toHiragana,
  type Desk,
} from './desk'

// Customers who may be issued a hard token, and TOTP devices in stock (the e2e clock is real time).
const eligible = demoBank.customers.filter((c) => c.otpStatus === 'not_applied')
const totpStock = demoBank.stock.filter((s) => s.algorithm === 'totp')

/** T001 takes the customer through the wizard to a fee waiver, ready to submit for a supervisor's approval. */
async function waiverFor(page: Page, desk: Desk, cif: string, serial: string): Promise<void> {
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${cif}/issue`))
  await page.getByTestId('eligibility').waitFor()
  await page.keyboard.press('Enter')
  await page.getByTestId('identity-last4').fill('5555')
  await page.keyboard.press('Enter')
  await page.getByTestId('device-serial').fill(serial)
  await page.getByTestId('device-otp').fill(deviceOtp(serial))
  await page.getByTestId('device-otp').press('Enter')
  await page.getByTestId('method-waiver').check()
  await page.getByTestId('waiver-reason').fill('初期不良品の交換')
}

test('a teller finds a customer by kana and issues a hard token for cash, all by keyboard', async ({
  page,
  desk,
}) => {
  const customer = eligible[3]!
  const serial = totpStock[0]!.serial
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()

  await page.keyboard.press('F2')
  const query = page.getByTestId('search-query')
  await expect(query).toBeFocused()
  // The customer's kana name in hiragana, as typed on a Japanese keyboard.
  await query.fill(toHiragana(customer.nameKana))
  await query.press('Enter')
  const rows = page.getByTestId('search-results').locator('tbody tr')
  await expect(rows.first()).toBeVisible()
  const cifs = await rows.locator('td:first-child').allTextContents()
  const index = cifs.indexOf(customer.cif)
  expect(index).toBeGreaterThanOrEqual(0)
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('otp-status')).toHaveText('未申請')
  await expect(page.getByTestId('start-issuance')).toBeFocused()
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('eligibility')).toContainText('発行できます')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('identity-kind')).toBeFocused()
  await page.keyboard.press('Tab')
  await page.keyboard.type('1234')
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('device-serial')).toBeFocused()
  await page.keyboard.type(serial)
  await page.keyboard.press('Tab')
  await page.keyboard.type(deviceOtp(serial))
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('fee')).toContainText('¥1,100')
  await expect(page.getByTestId('debit-offline')).toContainText('オフライン')
  await expect(page.getByTestId('cash-tendered')).toBeFocused()
  await page.keyboard.type('2000')
  await expect(page.getByTestId('cash-change')).toContainText('¥900')
  await page.keyboard.press('Enter')

  const receipt = page.getByTestId('receipt')
  await expect(receipt).toBeVisible()
  await expect(page.getByTestId('receipt-number')).toHaveText(/^001-00-\d{8}-0001$/)
  await expect(page.getByTestId('receipt-amount')).toContainText('¥1,100')
  await expect(receipt).toContainText('令和')
  await expect(receipt).toContainText('¥100')
  await expect(receipt).toContainText(serial)
  await expect(receipt).toContainText('山田 花子')
  await page.screenshot({ path: 'test-results/issuance-receipt.png', fullPage: true })

  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
  await expect(page.getByTestId('otp-status')).toHaveText('トークン発行済')
  await expect(page.getByTestId('customer-receipts')).toContainText('-0001')
})

test('a wrong device OTP is refused and the wizard stays on the device step', async ({ page, desk }) => {
  const customer = eligible[4]!
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}/issue`))
  await page.getByTestId('eligibility').waitFor()
  await page.keyboard.press('Enter')
  await page.getByTestId('identity-last4').fill('9876')
  await page.keyboard.press('Enter')
  await page.getByTestId('device-serial').fill(totpStock[1]!.serial)
  await page.getByTestId('device-otp').fill('00000000')
  await page.getByTestId('device-otp').press('Enter')
  await expect(page.getByTestId('issuance-error')).toContainText('一致しません')
  await expect(page.getByTestId('device-serial')).toBeVisible()
})

test('a supervisor waives the fee at the teller’s PC', async ({ page, desk }) => {
  await waiverFor(page, desk, eligible[5]!.cif, totpStock[2]!.serial)
  await page.getByTestId('issue-submit').click()

  // The teller cannot approve their own waiver.
  await approve(page, 'T001')
  await expect(page.getByTestId('approval-dialog').getByRole('alert')).toContainText(
    '自分の操作を自分で承認することはできません',
  )
  await approve(page, 'S001')
  const receipt = page.getByTestId('receipt')
  await expect(receipt).toBeVisible()
  await expect(page.getByTestId('receipt-amount')).toContainText('¥0')
  await expect(receipt).toContainText('免除')
  await expect(receipt).toContainText('S001')
})

test('a void and a day close, each approved by a supervisor', async ({ page, desk }) => {
  const serials = [totpStock[3]!.serial, totpStock[4]!.serial]
  await logIn(page, desk, 'T002', 'demo-T002')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  for (const [i, serial] of serials.entries()) await issueWithCash(page, desk, eligible[10 + i]!.cif, serial)

  await page.keyboard.press('F3')
  await expect(page.getByTestId('expected-cash')).toHaveText('¥2,200')
  const first = await page.getByTestId('ledger-receipts').locator('a').last().textContent()
  await page.getByTestId(`void-${first}`).click()
  await page.getByTestId('void-reason').fill('お客さま都合による取消')
  await page.getByTestId('void-reason').press('Enter')
  await approve(page, 'S001')
  await expect(page.getByRole('alert')).toContainText('取り消しました')
  await expect(page.getByTestId('expected-cash')).toHaveText('¥1,100')

  await page.getByTestId('counted-cash').fill('1000')
  await expect(page.getByTestId('cash-difference')).toHaveText('-¥100')
  await page.getByTestId('close-note').fill('100円不足、調査中')
  await page.getByTestId('close-submit').click()
  await approve(page, 'S002')
  await expect(page.getByTestId('day-closed')).toContainText('締め済')
  await expect(page.getByTestId('day-closed')).toContainText('S002')
  await page.screenshot({ path: 'test-results/day-close.png', fullPage: true })
})

test('what a quick supervisor types while the approval dialog is still opening stays where it was typed', async ({
  page,
  desk,
}) => {
  await waiverFor(page, desk, eligible[6]!.cif, totpStock[3]!.serial)
  // The dialog's opening animation runs 50 times slower: every field is filled before it has opened,
  // as on a busy PC. The dialog must not move the focus (and the typing) back to the staff ID then.
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Animation.enable')
  await cdp.send('Animation.setPlaybackRate', { playbackRate: 0.02 })
  await page.getByTestId('issue-submit').click()
  await page.getByTestId('approval-staff-id').fill('S001')
  await page.getByTestId('approval-password').fill('demo-S001')
  const code = supervisorCode()
  await page.getByTestId('approval-totp').focus()
  await page.waitForTimeout(1_000)
  await page.keyboard.type(code)
  await expect(page.getByTestId('approval-staff-id')).toHaveValue('S001')
  await expect(page.getByTestId('approval-totp')).toHaveValue(code)
  await cdp.send('Animation.setPlaybackRate', { playbackRate: 1 })
  await page.getByTestId('approval-totp').press('Enter')
  await expect(page.getByTestId('receipt')).toBeVisible()
})
