import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { demoBank, expect, issueWithCash, logIn, logOut, startDesk, test } from './desk'

/**
 * A PC whose data key no longer fits its database (in the desktop app: Windows cannot unwrap it after a
 * password reset; here browser mode's key file is replaced): the screen says why and what is lost,
 * writes the unsent work to a file first, and only then starts the PC anew on 端末の初期設定. By
 * keyboard, in Japanese and English, axe clean.
 */
test('a PC whose data key is lost writes its unsent work to a file, then starts anew', async ({
  page,
}, testInfo) => {
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-e2e-key-'))
  const running: { stop(): Promise<void> }[] = []
  try {
    // A desk in use: an issuance waits for central.
    const before = await startDesk({ dir })
    running.push(before)
    await logIn(page, before, 'T001', 'demo-T001')
    await expect(page.getByTestId('current-staff')).toBeVisible()
    const cif = demoBank.customers.find((c) => c.otpStatus === 'not_applied')!.cif
    await issueWithCash(page, before, cif, demoBank.stock[0]!.serial)
    await logOut(page)
    await running.pop()!.stop()

    writeFileSync(join(dir, 'token-desk.key'), randomBytes(32).toString('base64'))
    const desk = await startDesk({ dir, empty: true })
    running.push(desk)
    await page.goto(desk.url)
    const screen = page.getByTestId('key-lost')
    await expect(screen.getByRole('heading', { name: 'この端末のデータの鍵を読み出せません' })).toBeVisible()
    await expect(screen).toContainText('鍵のファイルが置き換えられたか')
    await expect(page.getByTestId('key-lost-list')).toContainText(/本部へ未送信の操作 \d+件/)
    await expect(page.getByTestId('key-lost-list')).toContainText('元のデータベースと鍵は削除せず')
    await expect(page.getByTestId('key-lost-reenrol')).toBeDisabled()
    expect(
      (await new AxeBuilder({ page }).analyze()).violations.filter((v) =>
        ['serious', 'critical'].includes(v.impact!),
      ),
    ).toEqual([])
    await page.screenshot({ path: testInfo.outputPath('key-lost.png'), fullPage: true })

    // The first thing to do has the focus: write the unsent work out.
    await expect(page.getByTestId('key-lost-export')).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('key-lost-message')).toContainText('このファイルを本部へ渡してください')
    const [exported] = readdirSync(join(dir, 'exports'))
    expect(
      JSON.parse(readFileSync(join(dir, 'exports', exported!), 'utf8')).mutations.length,
    ).toBeGreaterThan(0)

    await page.getByRole('button', { name: 'English' }).click()
    await expect(screen.getByRole('heading', { name: 'This PC’s data key cannot be read' })).toBeVisible()
    await expect(page.getByTestId('key-lost-message')).toContainText('Hand this file to HQ')
    await page.screenshot({ path: testInfo.outputPath('key-lost-en.png'), fullPage: true })
    await page.getByRole('button', { name: '日本語' }).click()

    await page.getByTestId('key-lost-export').focus()
    await page.keyboard.press('Tab')
    await page.keyboard.press('Space')
    await page.keyboard.press('Tab')
    await expect(page.getByTestId('key-lost-reenrol')).toBeFocused()
    expect(
      (await new AxeBuilder({ page }).analyze()).violations.filter((v) =>
        ['serious', 'critical'].includes(v.impact!),
      ),
    ).toEqual([])
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('key-lost-message')).toContainText('端末の初期設定を始めます')
    // The page starts afresh on the new, empty database.
    await expect(page.getByRole('heading', { name: '端末の初期設定' })).toBeVisible({ timeout: 15_000 })
    const [retired] = readdirSync(join(dir, 'retired'))
    expect(readdirSync(join(dir, 'retired', retired!)).sort()).toEqual(['desk.sqlite', 'token-desk.key'])
    expect(existsSync(join(dir, 'desk.sqlite'))).toBe(true)
  } finally {
    for (const desk of running) await desk.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
