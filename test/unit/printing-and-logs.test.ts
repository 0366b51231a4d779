import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import log from 'electron-log/node'
import { parse } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CSV_BOM, toCsv } from '../../src/shared/csv'
import { FakeClock } from '../../src/main/clock'
import { DomainError } from '../../src/shared/result'
import { paperPrintOptions, pdfOptions } from '../../src/main/printing/layouts'
import { PrintService, safePdfName, type PrintPort } from '../../src/main/printing/printService'
import { electronPrintPort, type PrintableContents } from '../../src/main/printing/electronPort'
import { configureFileLog, LOG_FILE_NAME, type ElectronLogLike } from '../../src/main/logging/fileLog'
import { rotateLogFiles } from '../../src/main/logging/rotation'
import { redactSecrets } from '../../src/main/logging/redact'
import { monthsOf } from '../../src/shared/reports'
import { progressLine, throttledProgress } from '../../src/shared/progress'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-unit-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('CSV for Japanese Excel', () => {
  it('starts with a BOM, ends lines with CRLF and quotes every field', () => {
    const csv = toCsv(
      ['氏名', 'メモ'],
      [
        ['山田 "花子"', '1行目\n2行目'],
        [1100, null],
      ],
    )
    expect(csv.startsWith(CSV_BOM)).toBe(true)
    expect(csv).toBe(`${CSV_BOM}"氏名","メモ"\r\n"山田 ""花子""","1行目\n2行目"\r\n"1100",""\r\n`)
    expect(parse(csv.slice(1))).toEqual([
      ['氏名', 'メモ'],
      ['山田 "花子"', '1行目\n2行目'],
      ['1100', ''],
    ])
  })

  it('keeps a cell that looks like a formula as text, but not a negative amount', () => {
    expect(toCsv(['a', 'b'], [['=HYPERLINK("x")', -100]])).toContain('"\t=HYPERLINK(""x"")","-100"')
  })
})

describe('report ranges by month', () => {
  it('cuts a range at month ends, across a year end', () => {
    expect(monthsOf('2026-11-15', '2027-01-10')).toEqual([
      { from: '2026-11-15', to: '2026-11-30' },
      { from: '2026-12-01', to: '2026-12-31' },
      { from: '2027-01-01', to: '2027-01-10' },
    ])
    expect(monthsOf('2028-02-03', '2028-02-29')).toEqual([{ from: '2028-02-03', to: '2028-02-29' }])
    expect(monthsOf('', '')).toEqual([])
    expect(monthsOf('2026-12-01', '2026-11-01')).toEqual([])
  })
})

describe('printing', () => {
  it('asks Electron for the paper sizes the print views set in CSS', () => {
    expect(pdfOptions('receipt80')).toMatchObject({
      pageSize: { width: 80 / 25.4, height: 200 / 25.4 },
      preferCSSPageSize: true,
      printBackground: true,
    })
    // printToPDF takes margins in inches (a marginType is print()'s option, and printToPDF ignores it).
    expect(pdfOptions('a4').margins).toEqual({ top: 0, bottom: 0, left: 0, right: 0 })
    expect(pdfOptions('a4_landscape')).toMatchObject({ landscape: true, pageSize: { width: 210 / 25.4 } })
    expect(paperPrintOptions('receipt80', 'EPSON TM-T88VII')).toMatchObject({
      silent: true,
      deviceName: 'EPSON TM-T88VII',
      pageSize: { width: 80_000, height: 200_000 },
    })
    expect(paperPrintOptions('a4', '')).toMatchObject({ silent: false })
    expect(paperPrintOptions('a4', '')).not.toHaveProperty('deviceName')
    // 端末設定 › the printer's own paper: the 80 mm receipt goes without a page size of its own.
    const printerPaper = paperPrintOptions('receipt80', 'EPSON TM-T88VII', 'printer')
    expect(printerPaper).toMatchObject({ usePrinterDefaultPageSize: true, deviceName: 'EPSON TM-T88VII' })
    expect(printerPaper).not.toHaveProperty('pageSize')
    // A4 keeps its page whatever the receipt setting says.
    expect(paperPrintOptions('a4', '', 'printer')).toMatchObject({ pageSize: { width: 210_000 } })
    expect(paperPrintOptions('a4', '', 'printer')).not.toHaveProperty('usePrinterDefaultPageSize')
  })

  it('names PDF files safely', () => {
    const at = new Date('2026-11-25T01:02:03Z')
    expect(safePdfName('領収書-001-20261125-0001', at)).toBe('領収書-001-20261125-0001-20261125T010203.pdf')
    expect(safePdfName('../../etc/passwd', at)).toBe('_.._etc_passwd-20261125T010203.pdf')
    expect(safePdfName('a:b*c?"<>|', at)).toBe('a_b_c_____-20261125T010203.pdf')
  })

  it('saves what the window prints into the PDF folder, through a port shaped like webContents', async () => {
    const calls: object[] = []
    const contents: PrintableContents = {
      printToPDF: async (options) => {
        calls.push(options)
        return Buffer.from('%PDF-1.7 test')
      },
      // Electron's words when the person closes the system's print dialog.
      print: (_options, callback) => callback?.(false, 'Print job canceled'),
      getPrintersAsync: async () =>
        ['EPSON TM-T88VII', 'Canon A4', 'Canon A4'].map((name) => ({
          name,
          displayName: name,
          description: '',
          options: {},
        })),
    }
    const service = new PrintService(
      electronPrintPort(() => contents),
      async () => join(dir, 'pdf'),
      new FakeClock('2026-11-25T01:00:00Z'),
    )
    const saved = await service.savePdf('receipt80', '領収書-001')
    expect(saved.path).toBe(join(dir, 'pdf', '領収書-001-20261125T010000.pdf'))
    expect(readFileSync(saved.path, 'utf8')).toBe('%PDF-1.7 test')
    expect(calls).toEqual([pdfOptions('receipt80')])
    expect(await service.printers()).toEqual({ desktop: true, names: ['Canon A4', 'EPSON TM-T88VII'] })
    // Closing the print dialog is not an error.
    await expect(service.print('a4', '', 'layout')).resolves.toBeUndefined()
    // Never overwrites an earlier PDF of the same name and second.
    await expect(service.savePdf('receipt80', '領収書-001')).rejects.toThrow(/EEXIST/)
  })

  it('reports a printer failure, and refuses in browser mode where there is no window to print', async () => {
    const failing: PrintPort = electronPrintPort(() => ({
      printToPDF: async () => Buffer.alloc(0),
      print: (_o, callback) => callback?.(false, 'no printer'),
      getPrintersAsync: async () => [],
    }))
    const clock = new FakeClock('2026-11-25T01:00:00Z')
    await expect(
      new PrintService(failing, async () => dir, clock).print('a4', 'X', 'layout'),
    ).rejects.toThrow('printing failed: no printer')
    const browser = new PrintService(undefined, async () => dir, clock)
    expect(browser.available).toBe(false)
    expect(await browser.printers()).toEqual({ desktop: false, names: [] })
    await expect(browser.savePdf('a4', 'x')).rejects.toBeInstanceOf(DomainError)
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('log files', () => {
  it('rotates token-desk.log into numbered files and keeps five in all', () => {
    const file = join(dir, 'token-desk.log')
    for (let i = 0; i < 7; i++) {
      writeFileSync(file, `generation ${i}\n`)
      rotateLogFiles(file, 5)
    }
    expect(readdirSync(dir).sort()).toEqual([
      'token-desk.1.log',
      'token-desk.2.log',
      'token-desk.3.log',
      'token-desk.4.log',
    ])
    expect(readFileSync(join(dir, 'token-desk.1.log'), 'utf8')).toBe('generation 6\n')
    expect(readFileSync(join(dir, 'token-desk.4.log'), 'utf8')).toBe('generation 3\n')
  })

  it('electron-log writes redacted lines and rotates at the size limit', () => {
    const logger = log.create({ logId: `unit-${Date.now()}` }) as unknown as ElectronLogLike
    logger.transports.console.level = false
    const path = configureFileLog(logger, dir, 2_000)
    expect(path).toBe(join(dir, LOG_FILE_NAME))
    logger.info('login S001 password=demo-S001')
    logger.error(new Error('seed JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP leaked'))
    logger.warn('approval', { staffId: 'S001', password: 'object-secret-1', totp: '246810' })
    for (let i = 0; i < 120; i++) logger.info(`line ${i} of ordinary work`)
    const files = readdirSync(dir).sort()
    expect(files).toContain('token-desk.log')
    expect(files).toContain('token-desk.1.log')
    expect(files.length).toBeLessThanOrEqual(5)
    const all = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('')
    expect(all).toContain('line 119 of ordinary work')
    expect(all).not.toContain('demo-S001')
    expect(all).not.toContain('object-secret-1')
    expect(all).not.toContain('246810')
    expect(all).toContain('S001')
    expect(all).not.toContain('JBSWY3DPEHPK3PXP')
    expect(existsSync(join(dir, 'token-desk.5.log'))).toBe(false)
  })
})

describe('redacting secrets for support', () => {
  const cases: [string, string][] = [
    ['password=demo-T001 next', 'demo-T001'],
    ['{"staffId":"S001","password":"p@ss word","totp":"123456"}', 'p@ss word'],
    ['{"totp":"123456"}', '123456'],
    ['approval code: 654321', '654321'],
    ['x-token-desk-token: Zm9vYmFyYmF6cXV4cXV1eA', 'Zm9vYmFyYmF6cXV4cXV1eA'],
    ['Authorization: Bearer abc.def.ghi', 'abc.def.ghi'],
    ['http://127.0.0.1:5780/?token=Q2xpZW50U2VjcmV0&x=1', 'Q2xpZW50U2VjcmV0'],
    ['otpauth://totp/Token%20Desk:S001?secret=JBSWY3DPEHPK3PXP', 'JBSWY3DPEHPK3PXP'],
    ['enrollmentCode=ABC-123-XYZ', 'ABC-123-XYZ'],
    ['seed_sealed: v1.aGVsbG8.d29ybGQ', 'aGVsbG8'],
    ['key 0123456789abcdef0123456789abcdef01234567', '0123456789abcdef0123456789abcdef'],
    ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----', 'MIIEvQIBADANBg'],
    ['blob 3q2+7w8fGxQeRkN1Zm9yQmFua1NlY3JldEtleTEyMzQ1Ng==', '3q2+7w8fGxQeRkN1'],
  ]
  it.each(cases)('hides the secret in %j', (line, secret) => {
    expect(redactSecrets(line)).not.toContain(secret)
    expect(redactSecrets(line)).toContain('REDACTED')
  })

  it('leaves ordinary lines readable', () => {
    const line =
      '[2026-11-25 10:00:00.000] [error] issuance.issue failed: Error SQLITE_BUSY at Object.run (/opt/Token Desk/resources/app.asar/out/main/index.js:10:5)'
    expect(redactSecrets(line)).toBe(line)
    expect(redactSecrets('login T001 at workstation 001-02, receipt 001-02-20261125-0001')).toBe(
      'login T001 at workstation 001-02, receipt 001-02-20261125-0001',
    )
  })
})

describe('progress for long work', () => {
  it('passes on at most one report per interval, but always the last', () => {
    let t = 0
    const seen: number[] = []
    const report = throttledProgress(
      (p) => seen.push(p.done),
      200,
      () => t,
    )
    for (let done = 1; done <= 1000; done++) {
      t += 1
      report({ done, total: 1000 })
    }
    expect(seen[0]).toBe(1)
    expect(seen.at(-1)).toBe(1000)
    expect(seen.length).toBeLessThanOrEqual(7)
  })

  it('draws a bar for a terminal, with or without a known total', () => {
    expect(progressLine({ done: 4000, total: 10000, label: '顧客' }, 10)).toBe(
      '[####------]  40% 4,000 / 10,000 顧客',
    )
    expect(progressLine({ done: 12, total: null }, 4)).toBe('[----] 12')
    expect(progressLine({ done: 5, total: 5 }, 4)).toBe('[####] 100% 5 / 5')
  })
})
