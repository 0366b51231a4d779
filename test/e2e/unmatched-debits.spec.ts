import { test, expect } from '@playwright/test'
import knex from 'knex'
import { demoCentral } from './central'
import { hqSignIn } from './hq'

type Central = Awaited<ReturnType<typeof demoCentral>>
type Pc = { clientId: string; secret: string }

async function enrol(central: Central, name: string): Promise<Pc> {
  const answer = await fetch(`${central.url}/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      branchCode: '001',
      enrollmentCode: central.enrollmentCode(),
      workstationName: name,
    }),
  })
  return (await answer.json()) as Pc
}

const post = (central: Central, pc: Pc, path: string, body: object) =>
  fetch(`${central.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pc.clientId}.${pc.secret}` },
    body: JSON.stringify({ clientId: pc.clientId, ...body }),
  })

test('HQ sees 口座振替 without a receipt, and records the refund of one that will never get one', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const central = await demoCentral()
  await central.start()
  const db = knex({ client: 'sqlite3', connection: { filename: central.dbFile }, useNullAsDefault: true })
  try {
    const pc1 = await enrol(central, '窓口1')
    const pc2 = await enrol(central, '窓口2')
    const [fresh, lost, silent] = await db('core_accounts as a')
      .join('customers as c', 'c.cif', 'a.cif')
      .where({ 'c.branch_code': '001', 'a.closed': false })
      .where('a.balance_yen', '>=', 1100)
      .orderBy('a.account')
      .limit(3)
      .select('a.cif', 'a.account')
    // Two debits two hours ago whose receipts never came: one at PC 01, which has since sent everything it
    // held; one at PC 02, which has not been heard from since (its receipt may still be in its queue).
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString()
    await db('debits').insert(
      [
        { receipt_no: '001-01-20261127-0001', ...lost, client_id: pc1.clientId },
        { receipt_no: '001-02-20261127-0001', ...silent, client_id: pc2.clientId },
      ].map((d) => ({ ...d, branch_code: '001', amount_yen: 1100, debited_at: twoHoursAgo })),
    )
    const emptied = await post(central, pc1, '/v1/sync/push', {
      schemaVersion: 1,
      mutations: [],
      status: {
        queueDepth: 0,
        oldestPendingAt: null,
        appVersion: '0.1.0',
        auditCount: 0,
        auditHash: '0'.repeat(64),
      },
    })
    expect(emptied.status).toBe(200)
    // And one just now at PC 01, whose receipt is on its way.
    const debit = await post(central, pc1, '/v1/debit', {
      receiptNo: '001-01-20261127-0002',
      cif: fresh.cif,
      account: fresh.account,
      amountYen: 1100,
    })
    expect(debit.status).toBe(200)

    const operator = await hqSignIn(browser, central, 'HQ001')
    await expect(operator.getByTestId('unmatched-debits')).toContainText('領収の届いていない口座振替')
    const lines = operator.getByTestId('unmatched-debit')
    await expect(lines).toHaveCount(3)
    await expect(lines.nth(0)).toContainText(
      `001 端末01（窓口1） 領収番号 001-01-20261127-0001：お客さま ${lost.cif} の口座 ${lost.account} から 1,100円`,
    )
    await expect(lines.nth(0)).toContainText('1時間以上 領収なし')
    await expect(lines.nth(1)).toContainText('001 端末02（窓口2） 領収番号 001-02-20261127-0001')
    await expect(lines.nth(1)).toContainText('端末未送信（最終通信')
    // Only an HQ supervisor records one the PC may still hold, once the branch has confirmed.
    await expect(lines.nth(1).getByTestId('resolve-debit')).toHaveCount(0)
    await expect(lines.nth(2)).toContainText('領収番号 001-01-20261127-0002')
    await expect(lines.nth(2)).toContainText('領収の送信待ち')
    await expect(lines.nth(2).getByTestId('resolve-debit')).toHaveCount(0)
    await operator.screenshot({ path: 'test-results/unmatched-debits-ja.png', fullPage: true })

    // The operator refunded the first one after calling the branch, and records so.
    await lines.nth(0).getByTestId('resolve-debit').click()
    await expect(operator.getByRole('dialog')).toContainText('口座振替 001-01-20261127-0001 の対応')
    await operator.getByText('返金した').click()
    await operator.getByTestId('resolve-note').fill('支店（窓口1）に確認、現金で受領済みのため返金')
    await operator.screenshot({ path: 'test-results/unmatched-debits-resolve-ja.png' })
    await operator.getByTestId('resolve-submit').click()
    await expect(operator.getByText('001-01-20261127-0001 の対応を記録しました。')).toBeVisible()
    await expect(lines).toHaveCount(2)
    expect(await db('debit_resolutions').where({ receipt_no: '001-01-20261127-0001' })).toMatchObject([
      { how: 'refunded', resolved_by: 'HQ001' },
    ])

    await operator.getByRole('button', { name: 'English' }).click()
    await expect(lines.nth(0)).toContainText(
      `001 PC 02 (窓口2), receipt 001-02-20261127-0001: 1,100 yen from account ${silent.account} of customer ${silent.cif}`,
    )
    await expect(lines.nth(0)).toContainText('not sent by the PC (last contact')

    // An HQ admin does no desk work: the list is not theirs.
    const admin = await hqSignIn(browser, central, 'HQ901')
    await expect(admin.getByTestId('overview-table')).toBeVisible()
    await expect(admin.getByTestId('unmatched-debit')).toHaveCount(0)
  } finally {
    await db.destroy()
    await central.close()
  }
})
