import knex from 'knex'
import { demoCentral } from './central'
import { approve, demoBank, enrolAtCentral, expect, issueWithCash, logIn, syncNow, test } from './desk'

test('an issuance made while central is stopped appears at central after it starts', async ({
  page,
  desk,
}) => {
  const central = await demoCentral()
  try {
    await central.start()
    await enrolAtCentral(page, desk, central.url, central.enrollmentCode())
    await central.stop()

    const customer = demoBank.customers.filter((c) => c.otpStatus === 'not_applied')[7]!
    const serial = demoBank.stock.filter((s) => s.algorithm === 'totp')[6]!.serial
    await logIn(page, desk, 'T001', 'demo-T001')
    await expect(page.getByTestId('current-staff')).toBeVisible()
    await issueWithCash(page, desk, customer.cif, serial)
    await syncNow(page)
    await expect(page.getByTestId('sync-outbox')).toContainText('送信待ち 1件')
    await expect(page.getByTestId('sync-status')).toContainText('オフライン')

    await central.start()
    await syncNow(page)
    await expect(page.getByTestId('sync-outbox')).toContainText('送信待ち 0件')
    await expect(page.getByTestId('sync-status')).toContainText('オンライン')
    const db = knex({ client: 'sqlite3', connection: { filename: central.dbFile }, useNullAsDefault: true })
    try {
      expect(await db('customers').where({ cif: customer.cif }).first()).toMatchObject({
        otp_status: 'token_issued',
      })
      expect(await db('inventory').where({ serial }).first()).toMatchObject({ state: 'issued' })
    } finally {
      await db.destroy()
    }
  } finally {
    await central.close()
  }
})

test('a revocation completed with the HQ command line shows 利用解除済 at the branch', async ({
  page,
  desk,
}) => {
  const central = await demoCentral()
  try {
    await central.start()
    await enrolAtCentral(page, desk, central.url, central.enrollmentCode())
    const customer = demoBank.customers.filter(
      (c) => c.otpStatus === 'in_use' && c.tokens.some((t) => t.kind === 'hard'),
    )[5]!
    await logIn(page, desk, 'T002', 'demo-T002')
    await expect(page.getByTestId('current-staff')).toBeVisible()
    await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
    await page.getByTestId('start-revocation').click()
    await page.getByTestId('revocation-channel').selectOption('paper')
    await page.getByTestId('revocation-form-no').fill('F-77')
    await page.getByTestId('revocation-seal').check()
    await page.getByTestId('revocation-submit').click()
    await page.getByRole('button', { name: 'この端末で役席者が承認する' }).click()
    await approve(page, 'S001')
    await expect(page.getByTestId('revocation-recorded')).toContainText('利用解除手続中')
    await syncNow(page)
    await expect(page.getByTestId('sync-outbox')).toContainText('送信待ち 0件')

    const pending = central.cli('revocations', 'list', '--state', 'pending') as { id: string; cif: string }[]
    expect(pending.map((p) => p.cif)).toEqual([customer.cif])
    central.cli('revocations', 'complete', '--id', pending[0]!.id)
    await syncNow(page)
    await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${customer.cif}`))
    await expect(page.getByTestId('otp-status')).toHaveText('利用解除済')
    await expect(page.getByTestId('revocation-state').first()).toHaveText('完了')
  } finally {
    await central.close()
  }
})
