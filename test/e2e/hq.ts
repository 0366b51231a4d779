import { expect, type Browser, type Page } from '@playwright/test'
import { authenticator } from 'otplib'
import { DEMO_HQ_TOTP } from '../../src/central/hqStaff'
import type { demoCentral } from './central'

/** An HQ person of the demo bank signs in to the console in their own browser context (own cookie jar). */
export async function hqSignIn(
  browser: Browser,
  central: Awaited<ReturnType<typeof demoCentral>>,
  staffId: string,
): Promise<Page> {
  const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' })
  const page = await context.newPage()
  await page.goto(`${central.url}/console/`)
  await page.getByTestId('login-staff-id').fill(staffId)
  await page.getByTestId('login-password').fill(`demo-${staffId}`)
  await page.getByTestId('login-code').fill(authenticator.generate(DEMO_HQ_TOTP))
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('current-hq-staff')).toContainText(staffId)
  return page
}
