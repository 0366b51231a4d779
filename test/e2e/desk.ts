import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test as base, expect, type Page } from '@playwright/test'
import { authenticator } from 'otplib'
import { DEMO_SUPERVISOR_TOTP, generateDemoBank } from '../../src/core/demo/generator'
import { deviceOtpNow } from '../../src/core/domain/deviceOtp'

export const demoBank = generateDemoBank()

export interface Desk {
  url: string
  dbFile: string
}

/**
 * Starts browser mode (the built bridge) on a fresh demo database, like `npm run dev:browser -- --demo`;
 * with `empty`, on an empty one (a new PC that opens on 端末の初期設定); with `dir`, on the database in
 * that folder, which stop() then leaves in place (the test removes it).
 */
export async function startDesk(
  options: { idleLockSeconds?: number; empty?: boolean; dir?: string } = {},
): Promise<Desk & { stop(): Promise<void> }> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'token-desk-e2e-'))
  const dbFile = join(dir, 'desk.sqlite')
  const args = [resolve('out/main/bridge-cli.js'), '--db', dbFile, '--port', '0']
  if (!options.empty) args.push('--demo')
  if (options.idleLockSeconds) args.push('--idle-lock-seconds', String(options.idleLockSeconds))
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`browser mode did not start:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Open: (\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolveUrl(match[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`browser mode exited with ${code}:\n${output}`)))
  })
  return {
    url,
    dbFile,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(killer)
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const test = base.extend<{ desk: Desk; idleLockSeconds: number | undefined }>({
  idleLockSeconds: [undefined, { option: true }],
  desk: async ({ idleLockSeconds }, use) => {
    const desk = await startDesk({ idleLockSeconds })
    await use(desk)
    await desk.stop()
  },
})

export { expect }

export async function logIn(page: Page, desk: Desk, staffId: string, password: string): Promise<void> {
  await page.goto(desk.url)
  await page.getByTestId('login-staff-id').fill(staffId)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-password').press('Enter')
}

/** What a demo stock device shows now (the e2e clock is the real one). */
export function deviceOtp(serial: string): string {
  const token = demoBank.stock.find((s) => s.serial === serial)!
  return deviceOtpNow(
    { algorithm: token.algorithm, digits: token.digits, period: token.period, counter: 0 },
    token.seed,
    new Date(),
  )
}

/** The code a demo supervisor's authenticator shows now. */
export function supervisorCode(): string {
  return authenticator.generate(DEMO_SUPERVISOR_TOTP)
}

export function toHiragana(katakana: string): string {
  return katakana.replace(/[\u30a1-\u30f6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60))
}

export async function approve(page: Page, staffId: string): Promise<void> {
  const dialog = page.getByTestId('approval-dialog')
  await expect(dialog).toBeVisible()
  await page.getByTestId('approval-staff-id').fill(staffId)
  await page.getByTestId('approval-password').fill(`demo-${staffId}`)
  await page.getByTestId('approval-totp').fill(supervisorCode())
  await page.getByTestId('approval-totp').press('Enter')
}

/** The issuance wizard from the customer's page to the receipt, with a cash fee. */
export async function issueWithCash(
  page: Page,
  desk: Desk,
  cif: string,
  serial: string,
  tendered = '1100',
): Promise<void> {
  await page.goto(desk.url.replace(/\?token=.*$/, `#/customers/${cif}/issue`))
  await page.getByTestId('eligibility').waitFor()
  await page.keyboard.press('Enter')
  await page.getByTestId('identity-last4').fill('1234')
  await page.keyboard.press('Enter')
  await page.getByTestId('device-serial').fill(serial)
  await page.getByTestId('device-otp').fill(deviceOtp(serial))
  await page.getByTestId('device-otp').press('Enter')
  await page.getByTestId('cash-tendered').fill(tendered)
  await page.getByTestId('cash-tendered').press('Enter')
  await expect(page.getByTestId('receipt')).toBeVisible()
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'ログアウト' }).click()
  await expect(page.getByTestId('login-staff-id')).toBeVisible()
}

/** Clicks 今すぐ同期 and waits for the sync to finish. */
export async function syncNow(page: Page): Promise<void> {
  const done = page.waitForResponse(
    (r) => r.url().includes('/api/invoke') && (r.request().postData() ?? '').includes('"sync.now"'),
  )
  await page.getByTestId('sync-now').click()
  await done
}

/** The admin enrols this PC at a central as 窓口1 (端末設定), then logs out. */
export async function enrolAtCentral(page: Page, desk: Desk, url: string, code: string): Promise<void> {
  await logIn(page, desk, 'A001', 'demo-A001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.goto(desk.url.replace(/\?token=.*$/, '#/settings'))
  await page.getByTestId('enrol-url').fill(url)
  await page.getByTestId('enrol-code').fill(code)
  await page.getByTestId('enrol-name').fill('窓口1')
  await page.getByTestId('enrol-submit').click()
  await expect(page.getByRole('alert')).toContainText('登録済み')
  await logOut(page)
}
