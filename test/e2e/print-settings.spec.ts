import { join } from 'node:path'
import { dirname } from 'node:path'
import { existsSync } from 'node:fs'
import { demoBank, expect, issueWithCash, logIn, logOut, test } from './desk'

/**
 * 端末設定 › 印刷と在庫 by keyboard: the PDF folder (a relative one refused in words, changing
 * nothing; an absolute one saved) and the 80 mm printer's paper size, which the receipt's print view
 * then follows (no page size of its own: the printer's paper applies).
 */
test('an admin names the PDF folder and lets the receipt printer choose its paper', async ({
  page,
  desk,
}, testInfo) => {
  await logIn(page, desk, 'A001', 'demo-A001')
  await page.getByTestId('nav-settings').click()
  const folder = page.getByTestId('ws-pdf-folder')
  await expect(folder).toBeVisible()
  // Browser mode saves PDFs from the print dialog: the card says where the setting applies.
  await expect(page.getByText('この設定はデスクトップ版で使われます')).toBeVisible()

  await folder.focus()
  await page.keyboard.type('pdf')
  await page.getByTestId('ws-save').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('alert')).toContainText('絶対パスで入力してください')
  await expect(page.getByRole('alert')).toContainText('設定は変更していません')

  const chosen = join(dirname(desk.dbFile), 'PDF 窓口1')
  await folder.focus()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type(chosen)
  await page.getByTestId('ws-page-printer').click()
  await page.getByTestId('ws-save').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('alert')).toContainText('印刷と在庫の設定を保存しました')
  expect(existsSync(chosen)).toBe(true)
  await page.screenshot({ path: testInfo.outputPath('print-settings.png'), fullPage: true })
  await page.reload()
  await expect(page.getByTestId('ws-pdf-folder')).toHaveValue(chosen)
  await logOut(page)

  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  const cif = demoBank.customers.find((c) => c.otpStatus === 'not_applied')!.cif
  await issueWithCash(page, desk, cif, demoBank.stock[1]!.serial)
  await page.getByTestId('open-receipt').click()
  await page.getByTestId('receipt-print-view').click()
  await expect(page.getByTestId('printed-receipt-number')).toBeVisible()
  const pageRule = () => page.locator('style[data-td-page]').evaluate((s) => s.textContent ?? '')
  await expect.poll(pageRule).toContain('@page { margin: 4mm 3mm; }')
  expect(await pageRule()).not.toContain('size:')
  // A4 keeps its page whatever the receipt printer does.
  await page.getByTestId('layout-a4').click()
  await expect.poll(pageRule).toContain('size: A4 portrait')
})
