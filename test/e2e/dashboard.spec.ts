import knex from 'knex'
import { expect, issueWithCash, logIn, test, demoBank, type Desk } from './desk'

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date())

/** The figures the dashboard should show, counted straight from the branch database. */
async function figuresFromDatabase(desk: Desk) {
  const db = knex({ client: 'sqlite3', connection: { filename: desk.dbFile }, useNullAsDefault: true })
  try {
    const start = new Date(`${today}T00:00:00+09:00`).toISOString()
    const count = async (q: knex.Knex.QueryBuilder) =>
      Number(((await q.count({ n: '*' }).first()) as { n: number }).n)
    const [fees] = await db('ledger_entries').where({ business_date: today }).sum({ yen: 'amount_yen' })
    return {
      issuances: await count(
        db('requests')
          .where({ kind: 'hard_issuance' })
          .whereNot({ state: 'refused' })
          .where('created_at', '>=', start),
      ),
      revocations: await count(db('requests').where({ kind: 'revocation' }).where('created_at', '>=', start)),
      feeYen: Number(fees?.yen ?? 0),
      approvalsWaiting: await count(db('requests').where({ kind: 'revocation', state: 'awaiting_branch' })),
      inStock: await count(db('inventory').where({ state: 'in_stock' })),
      outbox: await count(db('outbox')),
    }
  } finally {
    await db.destroy()
  }
}

test('the supervisor’s dashboard shows today’s figures as the database has them', async ({ page, desk }) => {
  const fresh = demoBank.customers.filter((c) => c.otpStatus === 'not_applied')
  await logIn(page, desk, 'T002', 'demo-T002')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await issueWithCash(page, desk, fresh[0]!.cif, demoBank.stock[0]!.serial, '2000')
  await issueWithCash(page, desk, fresh[1]!.cif, demoBank.stock[1]!.serial)
  await page.getByRole('button', { name: 'ログアウト' }).click()

  await logIn(page, desk, 'S001', 'demo-S001')
  await page.getByTestId('nav-dashboard').click()
  const expected = await figuresFromDatabase(desk)
  expect(expected.issuances).toBe(2)
  await expect(page.getByTestId('dash-issuances')).toContainText(String(expected.issuances))
  await expect(page.getByTestId('dash-revocations')).toContainText(String(expected.revocations))
  await expect(page.getByTestId('dash-fees')).toContainText(`¥${expected.feeYen.toLocaleString('ja-JP')}`)
  await expect(page.getByTestId('dash-open-closes')).toContainText('1')
  await expect(page.getByTestId('dash-approvals')).toContainText(String(expected.approvalsWaiting))
  await expect(page.getByTestId('dash-stock')).toContainText(String(expected.inStock))
  await expect(page.getByTestId('dash-sync')).toContainText(`送信待ち ${expected.outbox}件`)
  // Today's bar in the chart carries the same count.
  await expect(
    page
      .getByTestId('trend-chart')
      .locator('title')
      .filter({ hasText: `${today} トークン発行` }),
  ).toHaveText(`${today} トークン発行 ${expected.issuances}`)

  // The admin raises the low-stock mark above what is left: the stock tile turns to "running low".
  await page.getByRole('button', { name: 'ログアウト' }).click()
  await logIn(page, desk, 'A001', 'demo-A001')
  await page.locator('.td-nav a[href="#/settings"]').click()
  await page
    .getByTestId('ws-low-stock')
    .locator('input')
    .fill(String(expected.inStock + 5))
  await page.getByTestId('ws-save').click()
  await expect(page.getByText('印刷と在庫の設定を保存しました。')).toBeVisible()
  await page.getByRole('button', { name: 'ログアウト' }).click()
  await logIn(page, desk, 'S001', 'demo-S001')
  await page.getByTestId('nav-dashboard').click()
  await expect(page.getByTestId('dash-stock')).toContainText(`残りわずか（${expected.inStock + 5}個以下）`)
  await page.screenshot({ path: test.info().outputPath('dashboard.png'), fullPage: true })
})
