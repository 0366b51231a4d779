import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { parse } from 'csv-parse/sync'
import knex from 'knex'
import { expect, issueWithCash, logIn, supervisorCode, test, type Desk } from './desk'
import { demoBank } from './desk'

/** Today's business date in Japan (the e2e desk runs on the real clock). */
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date())
function daysAgo(n: number): string {
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

/** A channel called as the person logged in at this tab (set-up steps a report then shows). */
async function call(page: Page, channel: string, input: unknown): Promise<{ ok: boolean; value?: unknown }> {
  // Runs in the page, where sessionStorage holds this tab's bridge token and client id.
  const storage = 'sessionStorage' as const
  return page.evaluate(
    async ([channel, input, storage]) => {
      const tab = (globalThis as unknown as Record<string, { getItem(key: string): string | null }>)[storage]!
      const response = await fetch('/api/invoke', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-token-desk-token': tab.getItem('td.token') ?? '',
          'x-token-desk-client': tab.getItem('td.client') ?? '',
        },
        body: JSON.stringify({ channel, input }),
      })
      return (await response.json()) as { ok: boolean; value?: unknown }
    },
    [channel, input, storage] as const,
  )
}

async function inUseCustomers(desk: Desk): Promise<string[]> {
  const db = knex({ client: 'sqlite3', connection: { filename: desk.dbFile }, useNullAsDefault: true })
  try {
    return await db('customers').where({ otp_status: 'in_use' }).orderBy('cif').limit(3).pluck('cif')
  } finally {
    await db.destroy()
  }
}

const stockSerial = (i: number) => demoBank.stock[i]!.serial

/**
 * T001's day: a hard token for cash through the wizard, two paper revocations (one received 20 days
 * ago, so overdue), a suspension, and a write-off approved by S001. Then S001 reads the reports.
 */
async function tellersDay(page: Page, desk: Desk): Promise<{ serial: string; writtenOff: string }> {
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  const serial = stockSerial(0)
  await issueWithCash(page, desk, demoBank.customers.find((c) => c.otpStatus === 'not_applied')!.cif, serial)
  const [a, b, c] = await inUseCustomers(desk)
  for (const [cif, formNo, receivedOn] of [
    [a, 'F-E2E-OLD', daysAgo(20)],
    [b, 'F-E2E-NEW', today],
  ] as const) {
    expect(
      await call(page, 'revocations.request', {
        cif,
        channel: 'paper',
        reason: 'unneeded',
        paper: { formNo, receivedOn, sealChecked: true },
      }),
    ).toMatchObject({ ok: true })
  }
  expect(await call(page, 'revocations.suspend', { cif: c, reason: 'stolen' })).toMatchObject({ ok: true })
  const writtenOff = stockSerial(1)
  expect(
    await call(page, 'stock.writeOff', {
      serial: writtenOff,
      reason: '初期不良',
      approval: { staffId: 'S001', password: 'demo-S001', totp: supervisorCode() },
    }),
  ).toMatchObject({ ok: true })
  await page.getByRole('button', { name: 'ログアウト' }).click()
  await logIn(page, desk, 'S001', 'demo-S001')
  await page.getByTestId('nav-reports').click()
  return { serial, writtenOff }
}

async function showReport(
  page: Page,
  kind: string,
  filter: { from: string; to: string; staffId?: string; overdueOnly?: boolean },
): Promise<void> {
  await page.getByTestId(`report-${kind}`).click()
  await page.getByTestId('report-from').fill(filter.from)
  await page.getByTestId('report-to').fill(filter.to)
  await page.getByTestId('report-staff').fill(filter.staffId ?? '')
  if (filter.overdueOnly !== undefined)
    await page.getByTestId('report-overdue-only').setChecked(filter.overdueOnly)
  await page.getByTestId('report-show').click()
  await expect(page.getByTestId('report-table')).toBeVisible()
}

/** Saves the shown report's CSV and reads it back as Excel would: BOM, CRLF, quoted fields. */
async function savedCsv(page: Page): Promise<string[][]> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('report-csv').click(),
  ])
  const bytes = readFileSync((await download.path())!)
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  const text = bytes.subarray(3).toString('utf8')
  expect(text.endsWith('\r\n')).toBe(true)
  expect(text.replace(/\r\n/g, '')).not.toContain('\n')
  for (const line of text.split('\r\n').filter(Boolean))
    expect(line).toMatch(/^"(?:[^"]|"")*"(,"(?:[^"]|"")*")*$/)
  return parse(text, { bom: false, relax_quotes: false }) as string[][]
}

async function tableRows(page: Page): Promise<string[][]> {
  return page
    .getByTestId('report-table')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())))
}

test('each report filters, shows, saves a CSV for Excel and prints', async ({ page, desk }) => {
  const { serial, writtenOff } = await tellersDay(page, desk)

  await test.step('日次業務 (daily operations), for one teller', async () => {
    await showReport(page, 'operations', { from: today, to: today, staffId: 'T001' })
    expect(await tableRows(page)).toEqual([[today, 'T001', '山田 花子', '1', '2', '1']])
    const csv = await savedCsv(page)
    expect(csv).toEqual([
      ['営業日', '職員番号', '担当者', 'トークン発行', '利用解除受付', '緊急停止'],
      [today, 'T001', '山田 花子', '1', '2', '1'],
    ])
    await showReport(page, 'operations', { from: today, to: today, staffId: 'T002' })
    await expect(page.getByTestId('report-count')).toHaveText('0件')
  })

  await test.step('手数料台帳 (fee ledger) with the branch total', async () => {
    await showReport(page, 'fees', { from: daysAgo(40), to: today })
    const csv = await savedCsv(page)
    expect(csv[0]).toEqual([
      '営業日',
      '職員番号',
      '担当者',
      '手数料件数',
      '取消件数',
      '免除件数',
      '現金',
      '口座振替',
      '手数料計',
      '締め',
      '現金実査',
      '過不足',
      '承認者',
      '過不足の理由',
    ])
    expect(csv.slice(1)).toEqual([
      [today, 'T001', '山田 花子', '1', '0', '0', '1100', '0', '1100', '未締め', '', '', '', ''],
      [today, '店合計', '', '1', '0', '0', '1100', '0', '1100', '未締め', '', '', '', ''],
    ])
    expect((await tableRows(page))[0]).toContain('¥1,100')
  })

  await test.step('承認待ち (pending approvals)', async () => {
    await showReport(page, 'approvals', { from: today, to: today })
    const csv = await savedCsv(page)
    expect(csv.slice(1).map((r) => [r[4], r[6]])).toEqual([
      ['書面', '山田 花子（T001）'],
      ['書面', '山田 花子（T001）'],
    ])
  })

  await test.step('書面による利用解除 (paper revocations), all open and overdue only', async () => {
    await showReport(page, 'paperRevocations', { from: daysAgo(30), to: today, overdueOnly: false })
    expect((await savedCsv(page)).slice(1).map((r) => [r[0], r[1], r[3]])).toEqual([
      ['F-E2E-OLD', daysAgo(20), '6日超過'],
      ['F-E2E-NEW', today, ''],
    ])
    await showReport(page, 'paperRevocations', { from: daysAgo(30), to: today, overdueOnly: true })
    expect((await savedCsv(page)).slice(1).map((r) => r[0])).toEqual(['F-E2E-OLD'])
  })

  await test.step('在庫受払 (stock movements)', async () => {
    await showReport(page, 'stockMovements', { from: today, to: today })
    const moves = (await savedCsv(page)).slice(1).map((r) => [r[1], r[2], r[3]])
    expect(moves).toEqual(
      expect.arrayContaining([
        ['発行', serial, 'T001'],
        ['不良除却', writtenOff, 'T001'],
      ]),
    )
  })

  await test.step('the print view of a report, on A4 landscape with the period in 和暦', async () => {
    await showReport(page, 'fees', { from: daysAgo(40), to: today })
    await page.getByTestId('report-print').click()
    const printed = page.getByTestId('printed-report')
    await expect(printed).toContainText('手数料台帳')
    await expect(printed).toContainText('令和')
    await expect(printed).toContainText('店合計')
    await expect(page.locator('.td-header')).toHaveCount(0)
    // The page the desktop app's printToPDF makes from this view: A4 landscape, Japanese text intact.
    await page.evaluate('document.fonts.ready.then(() => true)')
    const pdf = test.info().outputPath('fees.pdf')
    writeFileSync(pdf, await page.pdf({ preferCSSPageSize: true, printBackground: true }))
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!
    expect([Math.round(Number(w)), Math.round(Number(h))]).toEqual([842, 595])
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
    expect(text).toContain('手数料台帳')
    expect(text).toMatch(/令和\d+年\d+月\d+日/)
    expect(text).toContain('店合計')
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, test.info().outputPath('fees')])
  })
})

test('a long range shows its progress month by month and can be stopped', async ({ page, desk }) => {
  await logIn(page, desk, 'S001', 'demo-S001')
  await page.getByTestId('nav-reports').click()
  // Slow each month's answer down so the bar can be seen moving.
  await page.route('**/api/invoke', async (route) => {
    await new Promise((r) => setTimeout(r, 300))
    await route.continue()
  })
  await page.getByTestId('report-operations').click()
  await page.getByTestId('report-from').fill(daysAgo(300))
  await page.getByTestId('report-to').fill(today)
  await page.getByTestId('report-show').click()
  const progress = page.getByTestId('progress')
  await expect(progress).toBeVisible()
  await expect(page.getByTestId('progress-counts')).toContainText(/[1-9] \/ 1[01] 完了/)
  await progress.getByRole('button', { name: '中止' }).click()
  await expect(page.getByRole('alert')).toContainText('中止しました')
  await expect(page.getByTestId('report-table')).toHaveCount(0)
  await page.unroute('**/api/invoke')
  await page.getByTestId('report-show').click()
  await expect(page.getByTestId('report-table')).toBeVisible()

  // A reversed period is refused on the spot, and nothing is shown.
  await page.getByTestId('report-from').fill(today)
  await page.getByTestId('report-to').fill(daysAgo(3))
  await page.getByTestId('report-show').click()
  await expect(page.getByRole('alert')).toContainText('終了日が開始日より前です')
  await expect(page.getByTestId('report-table')).toHaveCount(0)
})
