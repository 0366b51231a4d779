import { test, expect } from '@playwright/test'
import { demoCentral } from './central'
import { hqSignIn } from './hq'

type Central = Awaited<ReturnType<typeof demoCentral>>

/** A PC's push as the branch sends it: here only its status, with the audit count and last hash. */
async function pushStatus(
  central: Central,
  pc: { clientId: string; secret: string },
  count: number,
  hash: string,
) {
  const answer = await fetch(`${central.url}/v1/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pc.clientId}.${pc.secret}` },
    body: JSON.stringify({
      clientId: pc.clientId,
      schemaVersion: 1,
      mutations: [],
      status: {
        queueDepth: 0,
        oldestPendingAt: null,
        appVersion: '0.1.0',
        auditCount: count,
        auditHash: hash,
      },
    }),
  })
  expect(answer.status).toBe(200)
}

test('HQ sees a branch PC whose audit log got shorter since central anchored it', async ({ browser }) => {
  test.setTimeout(120_000)
  const central = await demoCentral()
  await central.start()
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
    await pushStatus(central, pc, 120, 'a'.repeat(64))
    await pushStatus(central, pc, 117, 'b'.repeat(64))
    await pushStatus(central, pc, 117, 'b'.repeat(64)) // pushed again: still one alert

    const supervisor = await hqSignIn(browser, central, 'HQ101')
    await expect(supervisor.getByTestId('audit-alerts')).toContainText('端末の監査ログの警告')
    const lines = supervisor.getByTestId('audit-alert')
    await expect(lines).toHaveCount(1)
    await expect(lines.first()).toContainText('001 端末01（窓口2）の監査ログが短くなっています')
    await expect(lines.first()).toContainText('本部の記録 120件 → 受信 117件')
    await supervisor.screenshot({ path: 'test-results/audit-alerts-ja.png', fullPage: true })
    // English second: the same line in the reader's other language.
    await supervisor.getByRole('button', { name: 'English' }).click()
    await expect(lines.first()).toContainText(
      '001 PC 01 (窓口2): its audit log is shorter than HQ recorded (120 rows → 117 received)',
    )
    await expect(supervisor.getByTestId('audit-alerts')).toContainText('Audit log alerts from branch PCs')

    // An HQ operator does not read audit alerts (the same people who read HQ's audit do).
    const operator = await hqSignIn(browser, central, 'HQ001')
    await expect(operator.getByTestId('overview-table')).toBeVisible()
    await expect(operator.getByTestId('audit-alert')).toHaveCount(0)
  } finally {
    await central.close()
  }
})
