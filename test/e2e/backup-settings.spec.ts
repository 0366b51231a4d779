import { existsSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, logIn, test } from './desk'

/**
 * 端末設定 › バックアップ as a supervisor uses it, by keyboard only: a refused folder says why in
 * Japanese and changes nothing; a good one is saved; 「今すぐバックアップ」 puts a copy there and the
 * screen shows it as the latest backup.
 */
test('a supervisor chooses the backup folder and backs up now, by keyboard', async ({
  page,
  desk,
}, testInfo) => {
  const chosen = join(dirname(desk.dbFile), 'branch-backups', 'desk1')
  await logIn(page, desk, 'S001', 'demo-S001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.getByTestId('nav-settings').focus()
  await page.keyboard.press('Enter')

  const card = page.getByTestId('backup-card')
  await expect(card.getByRole('heading', { name: 'バックアップ' })).toBeVisible()
  // The rest of 端末設定 is the admin's: a supervisor sees the backup card only.
  await expect(page.getByTestId('enrol-url')).toHaveCount(0)
  await expect(page.getByTestId('ws-save')).toHaveCount(0)
  await expect(page.getByTestId('backup-current')).toContainText(join(dirname(desk.dbFile), 'backups'))
  await expect(page.getByTestId('backup-current')).toContainText('既定（データベースと同じ場所）')
  // Beside the database: the daily backup, if browser mode has taken it yet (it may wait a little after start).
  await expect(page.getByTestId('backup-last')).toContainText(
    /毎日の自動バックアップ|この保存先にはまだバックアップがありません。/,
  )

  // A relative path: refused in Japanese, the setting unchanged.
  const folder = page.getByTestId('backup-folder')
  await folder.focus()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type('backups')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('backup-message')).toContainText('絶対パスで入力してください')
  await expect(page.getByTestId('backup-message')).toContainText('設定は変更していません')
  await expect(page.getByTestId('backup-current')).toContainText('既定（データベースと同じ場所）')
  await page.screenshot({ path: testInfo.outputPath('backup-refused.png'), fullPage: true })

  // A folder that does not exist yet: created and saved.
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type(chosen)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('backup-message')).toContainText(
    `バックアップの保存先を ${chosen} に変更しました`,
  )
  await expect(page.getByTestId('backup-current')).toContainText(chosen)
  await expect(page.getByTestId('backup-current')).not.toContainText('既定')
  // The new folder holds no backup yet: the daily one stayed where it was taken.
  await expect(page.getByTestId('backup-last')).toContainText('この保存先にはまだバックアップがありません。')
  expect(existsSync(chosen)).toBe(true)

  // Tab past 保存先を変更 to 今すぐバックアップ, and press it.
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('backup-save')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('backup-now')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('backup-message')).toContainText('バックアップを作成しました')
  await expect(page.getByTestId('backup-last')).toContainText('手動バックアップ')
  await expect(page.getByTestId('backup-last')).toContainText(/令和\d+年|\d{4}/)
  const files = readdirSync(chosen).filter((f) => f.endsWith('-manual.sqlite'))
  expect(files).toHaveLength(1)
  await expect(page.getByTestId('backup-last')).toContainText(files[0]!)
  await page.screenshot({ path: testInfo.outputPath('backup-taken.png'), fullPage: true })

  const results = await new AxeBuilder({ page }).analyze()
  expect(
    results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
  ).toEqual([])
})

test('the admin sees the backup card with the other settings, and backs up beside the database by default', async ({
  page,
  desk,
}) => {
  await logIn(page, desk, 'A001', 'demo-A001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, '#/settings'))
  await expect(page.getByTestId('backup-card')).toBeVisible()
  await expect(page.getByTestId('enrol-url')).toBeVisible()
  await page.getByTestId('backup-now').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('backup-last')).toContainText('手動バックアップ')
  expect(readdirSync(join(dirname(desk.dbFile), 'backups')).some((f) => f.endsWith('-manual.sqlite'))).toBe(
    true,
  )
})
