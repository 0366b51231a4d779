import { test, expect } from '@playwright/test'
import knex from 'knex'
import { demoCentral } from './central'
import { hqSignIn } from './hq'

test('HQ sees 口座振替 whose receipt has not reached central, the hour-old ones first and in red', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const central = await demoCentral()
  await central.start()
  const db = knex({ client: 'sqlite3', connection: { filename: central.dbFile }, useNullAsDefault: true })
  try {
    const enrolled = await fetch(`${central.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        branchCode: '001',
        enrollmentCode: central.enrollmentCode(),
        workstationName: '窓口2',
      }),
    })
    const pc = (await enrolled.json()) as { clientId: string; secret: string }
    const [fresh, old] = await db('core_accounts as a')
      .join('customers as c', 'c.cif', 'a.cif')
      .where({ 'c.branch_code': '001', 'a.closed': false })
      .where('a.balance_yen', '>=', 1100)
      .orderBy('a.account')
      .limit(2)
      .select('a.cif', 'a.account')
    // The PC debits at central; its receipt has not come yet (it is still in the PC's outbox).
    const debit = await fetch(`${central.url}/v1/debit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pc.clientId}.${pc.secret}` },
      body: JSON.stringify({
        clientId: pc.clientId,
        receiptNo: '001-01-20261127-0002',
        cif: fresh.cif,
        account: fresh.account,
        amountYen: 1100,
      }),
    })
    expect(debit.status).toBe(200)
    // And one from two hours ago whose receipt never followed.
    await db('debits').insert({
      receipt_no: '001-01-20261127-0001',
      account: old.account,
      cif: old.cif,
      branch_code: '001',
      amount_yen: 1100,
      client_id: pc.clientId,
      debited_at: new Date(Date.now() - 2 * 3600_000).toISOString(),
    })

    const operator = await hqSignIn(browser, central, 'HQ001')
    await expect(operator.getByTestId('unmatched-debits')).toContainText('領収の届いていない口座振替')
    const lines = operator.getByTestId('unmatched-debit')
    await expect(lines).toHaveCount(2)
    await expect(lines.nth(0)).toContainText(
      `001 端末01（窓口2） 領収番号 001-01-20261127-0001：お客さま ${old.cif} の口座 ${old.account} から 1,100円`,
    )
    await expect(lines.nth(0)).toContainText('1時間以上 領収なし')
    await expect(lines.nth(1)).toContainText('領収番号 001-01-20261127-0002')
    await expect(lines.nth(1)).toContainText('領収の送信待ち')
    await operator.screenshot({ path: 'test-results/unmatched-debits-ja.png', fullPage: true })
    await operator.getByRole('button', { name: 'English' }).click()
    await expect(lines.nth(0)).toContainText(
      `001 PC 01 (窓口2), receipt 001-01-20261127-0001: 1,100 yen from account ${old.account} of customer ${old.cif}`,
    )
    await expect(lines.nth(0)).toContainText('no receipt for over an hour')
  } finally {
    await db.destroy()
    await central.close()
  }
})
