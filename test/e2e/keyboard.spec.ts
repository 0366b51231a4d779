import type { Locator, Page } from '@playwright/test'
import { demoBank, deviceOtp, expect, issueWithCash, supervisorCode, test, type Desk } from './desk'

/**
 * The counter flows with the keyboard only: no click, no fill. Each step checks where the focus is,
 * so a screen that drops the focus fails here before a teller meets it.
 */
const notApplied = demoBank.customers.filter((c) => c.otpStatus === 'not_applied')
const inUse = demoBank.customers.filter((c) => c.otpStatus === 'in_use')
const inUseSoft = inUse.filter((c) => c.tokens.some((t) => t.kind === 'soft'))
const inUseHard = inUse.filter((c) => c.tokens.some((t) => t.kind === 'hard'))
const totpStock = demoBank.stock.filter((s) => s.algorithm === 'totp')

async function logInByKeyboard(page: Page, desk: Desk, staffId: string): Promise<void> {
  await page.goto(desk.url)
  await expect(page.getByTestId('login-staff-id')).toBeFocused()
  await page.keyboard.type(staffId)
  await page.keyboard.press('Tab')
  await page.keyboard.type(`demo-${staffId}`)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('current-staff')).toBeVisible()
}

/** F2, the CIF, Enter: one exact hit opens the customer's file, with the focus on the next action. */
async function openCustomerByKeyboard(page: Page, cif: string): Promise<void> {
  await page.keyboard.press('F2')
  await expect(page.getByTestId('search-query')).toBeFocused()
  await page.keyboard.type(cif)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('customer-name')).toBeVisible()
}

/** Tab until the element has the focus (a screen's tab order, not a click); fails if never reached. */
async function tabTo(page: Page, testId: string | Locator, most = 40): Promise<void> {
  const target = typeof testId === 'string' ? page.getByTestId(testId) : testId
  for (let i = 0; i < most; i++) {
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement).catch(() => false)) return
    await page.keyboard.press('Tab')
  }
  await expect(target).toBeFocused()
}

async function approveInDialog(page: Page, staffId: string): Promise<void> {
  await expect(page.getByTestId('approval-staff-id')).toBeFocused()
  await page.keyboard.type(staffId)
  await page.keyboard.press('Tab')
  await page.keyboard.type(`demo-${staffId}`)
  await page.keyboard.press('Tab')
  await page.keyboard.type(supervisorCode())
  await page.keyboard.press('Enter')
}

test('issuance with a waived fee, by keyboard only: Esc closes the approval, Enter approves', async ({
  page,
  desk,
}) => {
  const customer = notApplied[6]!
  const serial = totpStock[2]!.serial
  await logInByKeyboard(page, desk, 'T001')
  await openCustomerByKeyboard(page, customer.cif)
  await expect(page.getByTestId('start-issuance')).toBeFocused()
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('eligibility')).toContainText('発行できます')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('identity-kind')).toBeFocused()
  await page.keyboard.press('ArrowDown') // マイナンバーカード
  await expect(page.getByTestId('identity-kind')).toHaveValue('my_number_card')
  await page.keyboard.press('Tab')
  await page.keyboard.type('5678')
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('device-serial')).toBeFocused()
  await page.keyboard.type(serial)
  await page.keyboard.press('Tab')
  await page.keyboard.type(deviceOtp(serial))
  await page.keyboard.press('Enter')

  // Fee step: from the cash field back to the payment method, then to 免除 with the arrow keys.
  await expect(page.getByTestId('cash-tendered')).toBeFocused()
  await page.keyboard.press('Shift+Tab')
  await expect(page.getByTestId('method-cash')).toBeFocused()
  await page.keyboard.press('ArrowDown') // 口座振替 is disabled offline: the arrow skips it
  await expect(page.getByTestId('method-waiver')).toBeChecked()
  // Choosing 免除 puts the cursor in its reason at once.
  await expect(page.getByTestId('waiver-reason')).toBeFocused()
  await page.keyboard.type('障がい者手帳の提示')
  await page.keyboard.press('Enter')

  // Esc closes the approval without issuing; Enter on the form opens it again.
  const dialog = page.getByTestId('approval-dialog')
  await expect(page.getByTestId('approval-staff-id')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('receipt')).toHaveCount(0)
  await page.getByTestId('waiver-reason').focus()
  await page.keyboard.press('Enter')
  await approveInDialog(page, 'S001')

  await expect(page.getByTestId('receipt')).toBeVisible()
  await expect(page.getByTestId('receipt-amount')).toContainText('¥0')
  await expect(page.getByTestId('receipt')).toContainText('免除')
})

test('a soft-token revocation in person, by keyboard only, approved at the counter', async ({
  page,
  desk,
}) => {
  const customer = inUseSoft[4]!
  await logInByKeyboard(page, desk, 'T002')
  await openCustomerByKeyboard(page, customer.cif)
  await expect(page.getByTestId('start-revocation')).toBeFocused()
  await page.keyboard.press('Enter')

  // The guide: soft tokens are revoked in internet banking, or in person here; no paper.
  await expect(page.getByTestId('revocation-channel')).toBeFocused()
  await expect(page.getByTestId('soft-token-note')).toContainText('インターネットバンキング')
  await expect(page.getByTestId('revocation-channel').locator('option')).toHaveText(['窓口'])
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('revocation-reason')).toBeFocused()
  await page.keyboard.press('ArrowDown') // 紛失
  await expect(page.getByTestId('revocation-reason')).toHaveValue('lost')
  await page.keyboard.press('Tab') // 補足
  await page.keyboard.press('Tab') // 本人確認書類
  await expect(page.getByTestId('revocation-identity')).toBeFocused()
  await page.keyboard.press('Tab')
  await page.keyboard.type('ＡＢ１２') // full-width, as an IME may type it
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('revocation-recorded')).toContainText('役席者の承認を待っています')
  await expect(page.getByTestId('approve-here')).toBeFocused()
  await page.keyboard.press('Enter')
  await approveInDialog(page, 'S002')
  await expect(page.getByTestId('revocation-recorded')).toContainText('利用解除手続中')
  await expect(page.getByTestId('revocation-timeline')).toContainText('役席承認（S002）')
})

test('a hard-token revocation on paper, by keyboard only, with the form number as the bank writes it', async ({
  page,
  desk,
}) => {
  const customer = inUseHard[3]!
  await logInByKeyboard(page, desk, 'T001')
  await openCustomerByKeyboard(page, customer.cif)
  await expect(page.getByTestId('start-revocation')).toBeFocused()
  // The 緊急停止 panel opens on its first choice; Esc closes it without stopping anything.
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('start-suspension')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('suspend-lost')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('suspension-panel')).toBeHidden()
  await expect(page.getByTestId('start-suspension')).toBeFocused()
  await expect(page.getByTestId('otp-status')).toHaveText('利用中')
  await page.keyboard.press('Shift+Tab')
  await expect(page.getByTestId('start-revocation')).toBeFocused()
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('revocation-channel')).toBeFocused()
  await expect(page.getByTestId('hard-token-note')).toContainText('書面')
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('revocation-channel')).toHaveValue('paper')
  await page.keyboard.press('Tab') // 理由
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown') // 不要
  await expect(page.getByTestId('revocation-reason')).toHaveValue('unneeded')
  await page.keyboard.press('Tab') // 補足
  await page.keyboard.press('Tab') // 書面番号
  await expect(page.getByTestId('revocation-form-no')).toBeFocused()
  await page.keyboard.type('第０１２３号')
  // 受付日 stays today: Chromium's date field takes one Tab per part (year, month, day).
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab')
    if (await page.getByTestId('revocation-seal').evaluate((el) => el === el.ownerDocument.activeElement))
      break
  }
  await expect(page.getByTestId('revocation-seal')).toBeFocused()
  await page.keyboard.press('Space')
  await expect(page.getByTestId('revocation-seal')).toBeChecked()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('revocation-submit')).toBeFocused()
  await page.keyboard.press('Enter')

  await expect(page.getByTestId('revocation-recorded')).toBeVisible()
  await expect(page.getByTestId('revocation-card')).toContainText('第0123号')
  await expect(page.getByTestId('approve-here')).toBeFocused()
  // Esc leaves the approval for later; the request waits for a supervisor.
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('approval-staff-id')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('approval-dialog')).toBeHidden()
  await expect(page.getByTestId('revocation-state')).toHaveText('役席承認待ち')
})

test('a supervisor approves from the inbox by keyboard only', async ({ page, desk }) => {
  const customer = inUseSoft[7]!
  await logInByKeyboard(page, desk, 'T001')
  await openCustomerByKeyboard(page, customer.cif)
  await page.keyboard.press('Enter') // 利用解除を受け付ける
  await expect(page.getByTestId('revocation-channel')).toBeFocused()
  await tabTo(page, 'revocation-last4')
  await page.keyboard.type('9999')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('revocation-recorded')).toBeVisible()
  await tabTo(page, page.getByRole('button', { name: 'ログアウト' }))
  await page.keyboard.press('Enter')

  await logInByKeyboard(page, desk, 'S002')
  await tabTo(page, 'nav-approvals')
  await page.keyboard.press('Enter')
  await tabTo(page, `inbox-open-${customer.cif}`)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('revocation-card')).toBeVisible()
  await tabTo(page, 'inbox-approve')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('alert')).toContainText('利用解除手続中')
  await expect(page.getByTestId('inbox-empty')).toBeVisible()
})

test('a fee is voided by keyboard only: F3, the void panel (Esc closes it), the approval', async ({
  page,
  desk,
}) => {
  await logInByKeyboard(page, desk, 'T002')
  await issueWithCash(page, desk, notApplied[8]!.cif, totpStock[4]!.serial)
  const receiptNo = (await page.getByTestId('receipt-number').textContent())!.trim()

  await page.keyboard.press('F3')
  await expect(page.getByTestId('ledger-receipts')).toContainText(receiptNo)
  await tabTo(page, `void-${receiptNo}`)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('void-reason')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('void-reason')).toHaveCount(0)

  await tabTo(page, `void-${receiptNo}`)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('void-reason')).toBeFocused()
  await page.keyboard.type('金額誤り')
  await page.keyboard.press('Enter')
  await approveInDialog(page, 'S001')
  await expect(page.getByTestId('ledger-receipts')).toContainText('取消')
})
