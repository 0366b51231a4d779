import { readFileSync } from 'node:fs'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { approve, demoBank, expect, issueWithCash, logIn, startDesk, test, type Desk } from './desk'

/**
 * axe-core on every screen, as each role sees it, with the state that makes the screen full (results,
 * an open request, a dialog). Serious and critical violations fail; the rest are listed in the log.
 */
async function axe(page: Page, screen: string): Promise<void> {
  // Let transitions settle so axe sees the final colours.
  await page.waitForTimeout(300)
  const results = await new AxeBuilder({ page }).analyze()
  const problems = results.violations.map(
    (v) =>
      `${screen}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')}`,
  )
  if (problems.length) console.log(problems.join('\n'))
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  // Soft: one run lists every screen's problems, and the test still fails on any of them.
  expect
    .soft(blocking.map((v) => `${screen}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`))
    .toEqual([])
}

const at = (desk: Desk, hash: string): string => desk.url.replace(/\?token=.*$/, `#${hash}`)
const notApplied = demoBank.customers.filter((c) => c.otpStatus === 'not_applied')
const inUse = demoBank.customers.filter((c) => c.otpStatus === 'in_use')
const inUseHard = inUse.filter((c) => c.tokens.some((t) => t.kind === 'hard'))
const inUseSoft = inUse.filter((c) => c.tokens.some((t) => t.kind === 'soft'))
const totpStock = demoBank.stock.filter((s) => s.algorithm === 'totp')

test('the login screen and every teller screen have no serious or critical violations', async ({
  page,
  desk,
}) => {
  test.setTimeout(150_000)
  await page.goto(desk.url)
  await expect(page.getByTestId('login-staff-id')).toBeVisible()
  await axe(page, 'login')
  // A refused login shows its error on the same screen.
  await page.getByTestId('login-staff-id').fill('T001')
  await page.getByTestId('login-password').fill('wrong-password')
  await page.getByTestId('login-password').press('Enter')
  await expect(page.getByTestId('login-error')).toBeVisible()
  await axe(page, 'login (error)')

  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await axe(page, 'home (teller)')

  await page.keyboard.press('F2')
  await page.getByTestId('search-query').fill('ヤマ')
  await page.getByTestId('search-query').press('Enter')
  await expect(page.getByTestId('search-results')).toBeVisible()
  await axe(page, 'search')

  // The issuance wizard, step by step, then the receipt.
  const customer = notApplied[0]!
  const serial = totpStock[0]!.serial
  await page.goto(at(desk, `/customers/${customer.cif}/issue`))
  await expect(page.getByTestId('eligibility')).toBeVisible()
  await axe(page, 'issuance: customer')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('identity-kind')).toBeVisible()
  await axe(page, 'issuance: identity')
  await page.getByTestId('identity-last4').fill('1234')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('device-serial')).toBeVisible()
  await axe(page, 'issuance: device')
  await issueWithCash(page, desk, notApplied[1]!.cif, serial)
  await axe(page, 'issuance: receipt')

  await page.goto(at(desk, `/customers/${notApplied[1]!.cif}`))
  await expect(page.getByTestId('customer-audit')).toBeVisible()
  // 操作履歴 reads as sentences; no internal action names, no JSON (a teller has no 詳細 toggle).
  const history = page.getByTestId('customer-audit')
  await expect(history).toContainText('ハードトークン発行')
  await expect(history).toContainText('T001がCIF')
  await expect(history).not.toContainText('token.issue_hard')
  await expect(history).not.toContainText('{')
  await expect(page.getByTestId('detail-toggle')).toHaveCount(0)
  await page.screenshot({ path: 'test-results/customer-history.png', fullPage: true })
  await axe(page, 'customer file (after issuance)')

  await page.goto(at(desk, `/customers/${inUseHard[0]!.cif}`))
  await expect(page.getByTestId('otp-status')).toHaveText('利用中')
  await page.getByTestId('start-suspension').click()
  await expect(page.getByTestId('suspension-panel')).toBeVisible()
  await axe(page, 'customer file (suspension panel)')

  await page.goto(at(desk, `/customers/${inUseHard[1]!.cif}/revoke`))
  await expect(page.getByTestId('hard-token-note')).toBeVisible()
  await page.getByTestId('revocation-channel').selectOption('paper')
  await axe(page, 'revocation form (hard token, paper)')
  await page.getByTestId('revocation-form-no').fill('第０１２３号')
  await page.getByTestId('revocation-seal').check()
  await page.getByTestId('revocation-submit').click()
  await expect(page.getByTestId('revocation-recorded')).toBeVisible()
  await axe(page, 'revocation recorded')
  await page.getByRole('button', { name: 'この端末で役席者が承認する' }).click()
  await expect(page.getByTestId('approval-dialog')).toBeVisible()
  await axe(page, 'approval dialog')
  await approve(page, 'S001')
  await expect(page.getByTestId('revocation-recorded')).toContainText('利用解除手続中')

  await page.goto(at(desk, `/customers/${inUseSoft[0]!.cif}/revoke`))
  await expect(page.getByTestId('soft-token-note')).toBeVisible()
  await page.screenshot({ path: 'test-results/revocation-soft-token.png', fullPage: true })
  await axe(page, 'revocation form (soft token)')

  await page.goto(at(desk, `/customers/${inUseHard[1]!.cif}`))
  await expect(page.getByTestId('revocation-card').first()).toBeVisible()
  await axe(page, 'customer file (revocation card)')

  for (const [hash, screen, ready] of [
    ['/revocations', 'revocations list', 'revocations'],
    ['/stock', 'stock', 'stock-table'],
    ['/ledger', 'fees and day close', 'ledger-receipts'],
  ] as const) {
    await page.goto(at(desk, hash))
    await expect(page.getByTestId(ready)).toBeVisible()
    await axe(page, screen)
  }
  await page.goto(at(desk, '/account'))
  await expect(page.locator('h2').first()).toBeVisible()
  await axe(page, 'account (teller)')

  await page.getByRole('button', { name: '画面ロック' }).click()
  await expect(page.getByTestId('unlock-password')).toBeVisible()
  await axe(page, 'lock screen')
})

test('every supervisor and admin screen has no serious or critical violations', async ({ page, desk }) => {
  test.setTimeout(120_000)
  // Something to approve first.
  await logIn(page, desk, 'T002', 'demo-T002')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(at(desk, `/customers/${inUse[3]!.cif}/revoke`))
  await page.getByTestId('revocation-last4').fill('AB12')
  await page.getByTestId('revocation-submit').click()
  await expect(page.getByTestId('revocation-recorded')).toBeVisible()
  await page.getByRole('button', { name: 'ログアウト' }).click()

  await logIn(page, desk, 'S001', 'demo-S001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await axe(page, 'home (supervisor)')
  await page.getByTestId('nav-approvals').click()
  await page.getByTestId(`inbox-open-${inUse[3]!.cif}`).click()
  await expect(page.getByTestId('revocation-card')).toBeVisible()
  await axe(page, 'approvals inbox (request open)')

  await page.goto(at(desk, '/audit'))
  await expect(page.getByTestId('audit-table')).toBeVisible()
  await expect(page.getByTestId('audit-table')).not.toContainText('revocation.request')
  const requestRow = page.getByTestId('audit-table').locator('tr', { hasText: '利用解除の受付' })
  await expect(requestRow).toContainText('T002がCIF')
  await requestRow.getByTestId('detail-toggle').click()
  await expect(requestRow.getByTestId('detail-body')).toContainText('"channel": "in_person"')
  await page.screenshot({ path: 'test-results/audit-log.png', fullPage: true })
  await axe(page, 'audit log (detail open)')

  await page.goto(at(desk, '/sync'))
  await expect(page.getByRole('heading', { name: '同期', exact: true })).toBeVisible()
  await axe(page, 'sync')

  await page.goto(at(desk, '/account'))
  await expect(page.locator('h2').first()).toBeVisible()
  await axe(page, 'account (supervisor)')
  await page.getByRole('button', { name: 'ログアウト' }).click()

  await logIn(page, desk, 'A001', 'demo-A001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await axe(page, 'home (admin)')
  await page.goto(at(desk, '/settings'))
  await expect(page.locator('h1')).toBeVisible()
  await axe(page, 'settings')
  await page.goto(at(desk, '/sync'))
  await expect(page.getByRole('heading', { name: '同期', exact: true })).toBeVisible()
  await axe(page, 'sync (admin)')

  // English too: the same screens in the second language.
  await page.getByRole('button', { name: 'English' }).click()
  await expect(page.getByRole('button', { name: '日本語' })).toBeVisible()
  await axe(page, 'sync (admin, English)')
})

/**
 * Every screen the router knows without a parameter, for each role, read from the router itself, so
 * a screen added later (reports, dashboard, logs…) is checked without touching this file. A route a
 * role may not open sends it home, which is checked too.
 */
const staticRoutes = [
  ...readFileSync('src/renderer/src/router/index.ts', 'utf8').matchAll(/path: '(\/[^':]*)'/g),
]
  .map((m) => m[1]!)
  .filter((path) => path !== '/login')

for (const staffId of ['T001', 'S001', 'A001']) {
  test(`every screen without a parameter, as ${staffId}, has no serious or critical violations`, async ({
    page,
    desk,
  }) => {
    test.setTimeout(150_000)
    expect(staticRoutes).toContain('/revocations')
    await logIn(page, desk, staffId, `demo-${staffId}`)
    await expect(page.getByTestId('current-staff')).toBeVisible()
    for (const path of staticRoutes) {
      await page.goto(at(desk, path))
      await expect(page.locator('main h1').first()).toBeVisible()
      await page.waitForLoadState('networkidle')
      await axe(page, `${path} (${staffId})`)
    }
  })
}

test('端末の初期設定 (an empty database) has no serious or critical violations', async ({ page }) => {
  const empty = await startDesk({ empty: true })
  try {
    await page.goto(empty.url)
    await expect(page.getByTestId('setup-central-url')).toBeFocused()
    await axe(page, 'setup')
    // Nothing listens on port 9: the refusal shows on the same screen.
    await page.keyboard.type('http://127.0.0.1:9')
    await page.keyboard.press('Tab')
    await page.keyboard.type('001')
    await page.keyboard.press('Tab')
    await page.keyboard.type('ABCDEF-123456')
    await page.keyboard.press('Tab')
    await page.keyboard.type('窓口1')
    await page.keyboard.press('Enter')
    await expect(page.getByRole('alert').first()).toBeVisible({ timeout: 30_000 })
    await axe(page, 'setup (refused)')
  } finally {
    await empty.stop()
  }
})
