import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import knex from 'knex'
import { demoCentral } from './central'
import { hqSignIn } from './hq'
import { approve, demoBank, enrolAtCentral, expect, logIn, syncNow, test } from './desk'

// These tests start a central process and a branch, and drive up to three browsers: more than the default minute.
test.describe.configure({ timeout: 150_000 })

test('a paper revocation taken at the branch is completed by two HQ people and shows 利用解除済 at the branch', async ({
  page,
  desk,
  browser,
}) => {
  const central = await demoCentral()
  try {
    await central.start()
    await enrolAtCentral(page, desk, central.url, central.enrollmentCode())
    // 書面 is for hard tokens only (the bank's guide).
    const customer = demoBank.customers.filter(
      (c) => c.otpStatus === 'in_use' && c.tokens.some((t) => t.kind === 'hard'),
    )[9]!

    // The teller takes the paper form; the branch supervisor approves at the teller's PC.
    await logIn(page, desk, 'T002', 'demo-T002')
    await expect(page.getByTestId('current-staff')).toBeVisible()
    await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
    await page.getByTestId('start-revocation').click()
    await page.getByTestId('revocation-channel').selectOption('paper')
    await page.getByTestId('revocation-form-no').fill('F-901')
    await page.getByTestId('revocation-seal').check()
    await page.getByTestId('revocation-submit').click()
    await page.getByRole('button', { name: 'この端末で役席者が承認する' }).click()
    await approve(page, 'S001')
    await expect(page.getByTestId('revocation-recorded')).toContainText('利用解除手続中')
    await syncNow(page)
    await expect(page.getByTestId('sync-outbox')).toContainText('送信待ち 0件')

    // An HQ operator prepares the completion.
    const operator = await hqSignIn(browser, central, 'HQ001')
    await operator.getByTestId('nav-/revocations').click()
    const row = operator.getByRole('row').filter({ has: operator.getByTestId(`queue-row-${customer.cif}`) })
    await expect(row).toContainText('書面')
    await expect(row).toContainText('F-901')
    await expect(row.getByTestId('days-left')).toContainText('あと14日')
    await row.getByTestId('prepare').click()
    await operator.getByRole('button', { name: '確定する' }).click()
    await expect(row.getByTestId('queue-state')).toHaveText('承認待ち（HQ001）')
    await expect(row.getByTestId('approve')).toHaveCount(0)
    await operator.screenshot({ path: 'test-results/console-queue-prepared.png', fullPage: true })

    // The branch syncs meanwhile: nothing has changed for it yet.
    await syncNow(page)
    await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
    await expect(page.getByTestId('otp-status')).toHaveText('利用解除手続中')

    // An HQ supervisor approves it.
    const supervisor = await hqSignIn(browser, central, 'HQ101')
    await supervisor.getByTestId('nav-/revocations').click()
    const toApprove = supervisor
      .getByRole('row')
      .filter({ has: supervisor.getByTestId(`queue-row-${customer.cif}`) })
    await toApprove.getByTestId('approve').click()
    await supervisor.getByRole('button', { name: '確定する' }).click()
    await expect(supervisor.getByText('完了しました。支店には次回の同期で伝わります。')).toBeVisible()
    await expect(supervisor.getByTestId(`queue-row-${customer.cif}`)).toHaveCount(0)

    // After the branch's next sync the customer is 利用解除済 (reloaded: the page shows what it read).
    await syncNow(page)
    await page.reload()
    await expect(page.getByTestId('otp-status')).toHaveText('利用解除済')
    await expect(page.getByTestId('revocation-state').first()).toHaveText('完了')
  } finally {
    await central.close()
  }
})

test('PSKC in the browser: RFC 6030’s example imports; a tampered MAC imports nothing and says why', async ({
  browser,
}) => {
  const central = await demoCentral()
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-pskc-'))
  try {
    await central.start()
    const figure6 = readFileSync('test/fixtures/pskc/rfc6030-figure6.xml', 'utf8')
    const tampered = join(dir, 'tampered.xml')
    writeFileSync(tampered, figure6.replace('Su+NvtQfmvfJzF6bmQiJqoLRExc=', 'Su+NvtRfmvfJzF6bmQiJqoLRExc='))
    const operator = await hqSignIn(browser, central, 'HQ001')
    await operator.getByTestId('nav-/stock/receive').click()

    await operator.getByTestId('pskc-file').setInputFiles(tampered)
    await operator.getByTestId('pskc-key').fill('12345678901234567890123456789012')
    await operator.getByTestId('pskc-check').click()
    await expect(operator.getByTestId('pskc-error')).toContainText(
      '受け入れませんでした（1台も登録していません）',
    )
    await expect(operator.getByTestId('pskc-error')).toContainText('MAC（改ざん検知）が一致しません')
    await expect(operator.getByTestId('pskc-summary')).toHaveCount(0)
    await operator.screenshot({ path: 'test-results/console-pskc-tampered.png', fullPage: true })

    await operator.getByTestId('pskc-file').setInputFiles('test/fixtures/pskc/rfc6030-figure6.xml')
    await operator.getByTestId('pskc-check').click()
    await expect(operator.getByTestId('pskc-count')).toHaveText('1台')
    await expect(operator.getByTestId('pskc-serials')).toHaveText('987654321')
    await operator.getByTestId('pskc-import').click()
    await expect(operator.getByText('1台を本部在庫に受け入れました。')).toBeVisible()

    await operator.getByTestId('nav-/stock').click()
    await expect(operator.getByTestId('unallocated')).toContainText('1台')
    const db = knex({ client: 'sqlite3', connection: { filename: central.dbFile }, useNullAsDefault: true })
    try {
      expect(await db('inventory').whereNull('branch_code').pluck('serial')).toEqual(['987654321'])
    } finally {
      await db.destroy()
    }
  } finally {
    await central.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the session cookie is not sent from another site', async ({ browser }) => {
  const central = await demoCentral()
  let other: Server | undefined
  try {
    await central.start()
    const hq = await hqSignIn(browser, central, 'HQ901')
    // Another site (localhost is a different site from 127.0.0.1) links and posts to central.
    other = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(
        `<a id="link" href="${central.url}/console/api/session">open</a>` +
          `<form id="form" method="POST" action="${central.url}/console/api/branches" enctype="text/plain">` +
          `<input name="x" value="y"><button id="send">send</button></form>`,
      )
    })
    await new Promise<void>((ready) => other!.listen(0, ready))
    const port = (other.address() as { port: number }).port

    await hq.goto(`http://localhost:${port}/`)
    await hq.click('#link')
    await expect(hq.locator('body')).toContainText('UNAUTHENTICATED')
    await hq.goto(`http://localhost:${port}/`)
    await hq.click('#send')
    await expect(hq.locator('body')).toContainText('UNAUTHENTICATED')

    // Typed into the address bar, the same URL is same-site: the cookie goes and the session answers.
    await hq.goto(`${central.url}/console/api/session`)
    await expect(hq.locator('body')).toContainText('HQ901')
  } finally {
    other?.close()
    await central.close()
  }
})

test('HQ enrols a PC and adds a teller from the console; the teller logs in at the branch after its next sync', async ({
  page,
  desk,
  browser,
}) => {
  const central = await demoCentral()
  try {
    await central.start()
    const admin = await hqSignIn(browser, central, 'HQ901')
    await admin.getByTestId('nav-/branches').click()
    await admin.getByTestId('branch-001').getByTestId('issue-code').click()
    const code = (await admin.getByTestId('enrolment-code').textContent())!.trim()
    await admin.getByRole('button', { name: '閉じる' }).click()
    await enrolAtCentral(page, desk, central.url, code)
    await admin.reload()
    const pc = admin.getByTestId('branch-001').getByRole('row').filter({ hasText: '窓口1' })
    await expect(pc).toContainText('01')

    await admin.getByTestId('nav-/staff').click()
    await admin.getByTestId('add-staff').click()
    await admin.getByTestId('staff-branch').click()
    await admin.getByRole('option', { name: '001 本店営業部' }).click()
    await admin.getByTestId('staff-id').fill('T050')
    await admin.getByTestId('staff-name').fill('最上 光')
    await admin.getByTestId('staff-submit').click()
    const oneTime = (await admin.getByTestId('one-time-password').textContent())!.trim()
    expect(oneTime).toMatch(/^[A-Za-z2-9]{10}$/)
    await admin.screenshot({ path: 'test-results/console-one-time-password.png' })

    // The branch learns of the new teller on its next sync.
    await logIn(page, desk, 'T001', 'demo-T001')
    await expect(page.getByTestId('current-staff')).toBeVisible()
    await syncNow(page)
    await page.getByRole('button', { name: 'ログアウト' }).click()
    await logIn(page, desk, 'T050', oneTime)
    // HQ's one-time password must be replaced before anything else.
    await expect(page.getByTestId('password-current')).toBeVisible()
    await page.getByTestId('password-current').fill(oneTime)
    await page.getByTestId('password-next').fill('mogami-2026-new')
    await page.getByTestId('password-confirm').fill('mogami-2026-new')
    await page.getByTestId('password-submit').click()
    await expect(page.getByTestId('current-staff')).toContainText('最上 光')
  } finally {
    await central.close()
  }
})
