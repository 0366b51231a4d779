import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, issueWithCash, logIn, test, demoBank } from './desk'

/**
 * Printing as the desktop app does it, without Electron: the same print view (HTML and CSS) rendered
 * to PDF by Chromium (Electron's printToPDF is Chromium's too), then read back with poppler: the text
 * layer must carry the receipt number and 令和 with the Japanese font embedded, and the page becomes an
 * image (receipt-80mm-1.png in the test's output folder) for a person to look at.
 */
test('a receipt prints to PDF on 80 mm and A4 paper with its number and 令和 date', async ({
  page,
  desk,
}) => {
  const out = mkdtempSync(join(tmpdir(), 'token-desk-pdf-'))
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  const cif = demoBank.customers.find((c) => c.otpStatus === 'not_applied')!.cif
  await issueWithCash(page, desk, cif, demoBank.stock[0]!.serial, '5000')
  const receiptNo = (await page.getByTestId('receipt-number').textContent())!.trim()

  await page.getByTestId('open-receipt').click()
  await page.getByTestId('receipt-print-view').click()
  await expect(page.getByTestId('printed-receipt-number')).toHaveText(receiptNo)
  await expect(page.locator('.td-header')).toHaveCount(0)
  await page.evaluate('document.fonts.ready.then(() => true)')

  for (const layout of ['receipt80', 'a4'] as const) {
    await page.getByTestId(`layout-${layout}`).click()
    await page.evaluate('document.fonts.ready.then(() => true)')
    const pdf = join(out, `receipt-${layout}.pdf`)
    writeFileSync(pdf, await page.pdf({ preferCSSPageSize: true, printBackground: true }))

    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!
    const mm = (pt: string) => Math.round((Number(pt) * 25.4) / 72)
    expect([mm(w!), mm(h!)]).toEqual(layout === 'receipt80' ? [80, 200] : [210, 297])
    expect(info).toMatch(/Pages:\s+1\b/)

    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
    expect(text).toContain(receiptNo)
    expect(text).toMatch(/令和\d+年\d+月\d+日/)
    expect(text).toContain('領')
    expect(text).toContain('¥1,100')
    expect(text).toContain('ハードトークン発行手数料')

    // The Japanese font travels inside the PDF (no tofu on a PC without it).
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' })
    expect(fonts).toMatch(/NotoSansJP\S*\s+.*\byes\b/)

    const images = test.info().outputPath()
    mkdirSync(images, { recursive: true })
    const prefix = `receipt-${layout === 'receipt80' ? '80mm' : 'a4'}`
    execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', pdf, join(images, prefix)])
    const image = readdirSync(images).find((f) => f.startsWith(prefix) && f.endsWith('.png'))
    expect(image).toBeTruthy()
    // A real picture: a PNG with ink on it, not an empty sheet.
    const bytes = readFileSync(join(images, image!))
    expect(bytes.subarray(1, 4).toString()).toBe('PNG')
    expect(bytes.length).toBeGreaterThan(10_000)
    // The same page as raw grey pixels: the paper's shape, and ink on it (text, not a blank sheet).
    const ink = inkOnPage(pdf, join(images, `${prefix}-grey`))
    expect(ink.width / ink.height).toBeCloseTo(layout === 'receipt80' ? 80 / 200 : 210 / 297, 2)
    expect(ink.share).toBeGreaterThan(0.005)
    expect(ink.share).toBeLessThan(0.3)
  }
})

/** Renders page 1 as a greyscale PGM (a plain header, then one byte per pixel) and measures the ink. */
function inkOnPage(pdf: string, prefix: string): { width: number; height: number; share: number } {
  execFileSync('pdftoppm', ['-gray', '-r', '50', '-f', '1', '-l', '1', '-singlefile', pdf, prefix])
  const pgm = readFileSync(`${prefix}.pgm`)
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'))!
  const [width, height] = [Number(header[1]), Number(header[2])]
  const pixels = pgm.subarray(header[0].length)
  let dark = 0
  for (const value of pixels) if (value < 128) dark++
  return { width, height, share: dark / (width * height) }
}
