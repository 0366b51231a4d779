import { demoBank, expect, logIn, test } from './desk'

/** What a teller reads: Japanese words, never internal names, JSON or the schema's English. */
const inUse = demoBank.customers.filter((c) => c.otpStatus === 'in_use')
const inUseHard = inUse.filter((c) => c.tokens.some((t) => t.kind === 'hard'))
const inUseSoft = inUse.filter((c) => c.tokens.some((t) => t.kind === 'soft'))

/** YYYY-MM-DD in Japan, `days` before today. */
function japanDaysAgo(days: number): string {
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Tokyo' })
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - days)
  return d.toISOString().slice(0, 10)
}

test('a paper form received 17 days ago: 17日 and 期限超過 side by side; bad input in Japanese', async ({
  page,
  desk,
}) => {
  const customer = inUseHard[5]!
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}/revoke`))
  await page.getByTestId('revocation-channel').selectOption('paper')
  await page.getByTestId('revocation-reason').selectOption('unneeded')

  // A form number the bank would not write: refused per field, in Japanese, nothing recorded.
  await page.getByTestId('revocation-form-no').fill('第0123号!')
  await page.getByTestId('revocation-received-on').fill(japanDaysAgo(17))
  await page.getByTestId('revocation-seal').check()
  await page.getByTestId('revocation-submit').click()
  const error = page.getByTestId('revocation-error')
  await expect(error).toContainText('書面番号は漢字・英数字・ハイフンで20文字以内です')
  await expect(error).not.toContainText('letters')

  // As written on the paper, with full-width digits: accepted and kept in plain digits.
  await page.getByTestId('revocation-form-no').fill('第０１２３号')
  await page.getByTestId('revocation-submit').click()
  await expect(page.getByTestId('revocation-recorded')).toBeVisible()
  await expect(page.getByTestId('revocation-card')).toContainText('第0123号')
  await expect(page.getByTestId('revocation-card-age')).toContainText('17日')
  await expect(page.getByTestId('revocation-due')).toContainText('期限超過')

  await page.goto(desk.url.replace(/\?token=.*$/, '#/revocations'))
  const row = page.getByTestId('revocations').locator('tr', { hasText: customer.cif })
  await expect(row.getByTestId('revocation-age')).toHaveText('17日')
  await expect(row).toContainText('期限超過')
})

test('a soft token is not offered paper, and the sync screen names changes in words', async ({
  page,
  desk,
}) => {
  const customer = inUseSoft[6]!
  await logIn(page, desk, 'S001', 'demo-S001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}/revoke`))
  await expect(page.getByTestId('soft-token-note')).toContainText('インターネットバンキング')
  await expect(page.getByTestId('revocation-channel').locator('option')).toHaveText(['窓口'])
  await page.getByTestId('revocation-last4').fill('1234')
  await page.getByTestId('revocation-submit').click()
  await expect(page.getByTestId('revocation-recorded')).toBeVisible()

  await page.goto(desk.url.replace(/\?token=.*$/, '#/sync'))
  const queue = page.getByTestId('sync-queue')
  await expect(queue).toContainText('利用解除の受付')
  await expect(queue).not.toContainText('revocation.request')

  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
  const history = page.getByTestId('customer-audit')
  await expect(history).toContainText(`S001がCIF ${customer.cif}の利用解除を受付（窓口・機種変更）`)
  await expect(history).not.toContainText('"')
  // A supervisor may look behind the sentence.
  await history.getByTestId('detail-toggle').first().click()
  await expect(history.getByTestId('detail-body').first()).toContainText('"channel": "in_person"')

  // The same sentence in the second language.
  await page.getByRole('button', { name: 'English' }).click()
  await expect(history.getByTestId('audit-summary').first()).toHaveText(
    `S001 recorded CIF ${customer.cif}'s revocation (In person, Phone change)`,
  )
})
