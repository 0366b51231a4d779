import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import knex from 'knex'
import { authenticator } from 'otplib'
import { expect, test } from '@playwright/test'
import { DEMO_HQ_TOTP } from '../../src/central/hqStaff'
import { demoCentral } from './central'

/**
 * HQ's customer import in the console: a file of a few thousand rows is checked, then imported in the
 * background with a progress bar that ends at the file's total.
 */
test('an HQ operator imports 3,000 customers and watches the progress bar reach the total', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000)
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-e2e-import-'))
  const central = await demoCentral()
  try {
    await central.start()
    const lines = ['cif,branch,name_kanji,name_kana,birth_date,phone,accounts']
    for (let i = 0; i < 3000; i++) {
      const cif = String(8_000_000 + i)
      lines.push(`${cif},001,取込 花子${i},トリコミ ハナコ,1985-05-05,090-1111-2222,001-futsu-${cif}`)
    }
    const file = join(dir, 'customers.csv')
    writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`)

    await page.goto(`${central.url}/console/`)
    await page.getByTestId('login-staff-id').fill('HQ001')
    await page.getByTestId('login-password').fill('demo-HQ001')
    await page.getByTestId('login-code').fill(authenticator.generate(DEMO_HQ_TOTP))
    await page.getByTestId('login-submit').click()
    await expect(page.getByTestId('current-hq-staff')).toContainText('HQ001')
    await page.goto(`${central.url}/console/#/customers`)

    await page.getByTestId('csv-file').setInputFiles(file)
    await page.getByTestId('csv-dry-run').click()
    await expect(page.getByTestId('csv-result')).toContainText('3000行: 新規 3000件、更新 0件')
    await page.getByTestId('csv-import').click()

    const progress = page.getByTestId('csv-progress')
    await expect(progress).toBeVisible()
    await expect(progress.getByRole('progressbar')).toHaveAttribute(
      'aria-label',
      'お客さま一括登録の進み具合',
    )
    await expect(page.getByTestId('csv-progress-text')).toHaveText('登録が完了しました（3,000件）。', {
      timeout: 60_000,
    })
    await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100')
    await expect(page.getByText('新規 3000件、更新 0件を登録しました。')).toBeVisible()
    // Let the bar's width transition finish before the picture.
    await page.waitForTimeout(700)
    await page.screenshot({ path: testInfo.outputPath('console-import-done.png'), fullPage: true })
    // Every row is in central's database.
    const db = knex({ client: 'sqlite3', connection: { filename: central.dbFile }, useNullAsDefault: true })
    try {
      const [row] = await db('customers').whereBetween('cif', ['8000000', '8002999']).count({ n: '*' })
      expect(Number(row!.n)).toBe(3000)
    } finally {
      await db.destroy()
    }
  } finally {
    await central.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
