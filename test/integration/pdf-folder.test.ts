import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { electronPrintPort, type PrintableContents } from '../../src/main/printing/electronPort'
import { login } from '../support/counter'
import { snapshot, tempApp, type TempApp } from '../support/tempApp'

/**
 * 端末設定 › PDF の保存先: the default under the app's data folder, another folder an admin names
 * (checked as a backup folder is), refusals that change nothing, and 「PDFで保存」 writing there.
 */
const contents: PrintableContents = {
  printToPDF: async () => Buffer.from('%PDF-1.7 test'),
  print: (_options, callback) => callback?.(true, ''),
  getPrintersAsync: async () => [],
}

let app: TempApp
let dataFolder: string
let defaultFolder: string
beforeEach(async () => {
  // The desktop shell's default is pdf/ in its data folder.
  dataFolder = mkdtempSync(join(tmpdir(), 'token-desk-data-'))
  defaultFolder = join(dataFolder, 'pdf')
  app = await tempApp({ printPort: electronPrintPort(() => contents), pdfDirectory: defaultFolder })
  await login(app, 'admin', 'A001')
  await login(app, 'pc', 'T001')
})
afterEach(async () => {
  await app.close()
  rmSync(dataFolder, { recursive: true, force: true })
})

const settings = (pdfFolder: string) => ({
  receiptLayout: 'receipt80',
  printerName: '',
  lowStockThreshold: 10,
  pdfFolder,
  receiptPageSize: 'layout',
})

describe('the folder 「PDFで保存」 writes to', () => {
  it('is the data folder’s pdf/ until an admin names another; the PDF then goes there', async () => {
    expect(await app.invoke('pc', 'settings.workstation', {})).toMatchObject({
      ok: true,
      value: { pdfFolder: '', defaultPdfFolder: defaultFolder },
    })
    const first = await app.invoke('pc', 'print.pdf', { layout: 'a4', name: '領収書-1' })
    expect(first).toMatchObject({ ok: true, value: { path: expect.stringContaining(defaultFolder) } })

    const chosen = join(app.dir, 'D ドライブ', 'PDF #1')
    expect(await app.invoke('admin', 'settings.updateWorkstation', settings(chosen))).toMatchObject({
      ok: true,
      value: { pdfFolder: chosen },
    })
    const audit = await app.services
      .db('audit')
      .where({ action: 'settings.workstation' })
      .orderBy('id', 'desc')
      .first()
    expect(JSON.parse(audit.after_json)).toMatchObject({ pdfFolder: chosen })
    const second = await app.invoke('pc', 'print.pdf', { layout: 'receipt80', name: '領収書-2' })
    expect(second).toMatchObject({ ok: true, value: { path: expect.stringContaining(chosen) } })
    expect(readdirSync(chosen)).toHaveLength(1)
    // Leaving the field out keeps the folder (an older screen, or the printer alone changed).
    expect(
      await app.invoke('admin', 'settings.updateWorkstation', {
        receiptLayout: 'a4',
        printerName: '',
        lowStockThreshold: 5,
      }),
    ).toMatchObject({ ok: true, value: { pdfFolder: chosen, receiptLayout: 'a4' } })
  })

  it('refuses a relative path, a file, or a folder that cannot be made, saying which, and changes nothing', async () => {
    const aFile = join(app.dir, 'notes.txt')
    writeFileSync(aFile, 'x')
    const before = await snapshot(app.services.db, ['settings', 'audit'])
    for (const [folder, problem] of [
      ['pdf', 'not_absolute'],
      ['.\\pdf', 'not_absolute'],
      [aFile, 'not_a_folder'],
      [join(aFile, 'pdf'), 'cannot_create'],
    ] as const) {
      expect(await app.invoke('admin', 'settings.updateWorkstation', settings(folder)), folder).toMatchObject(
        {
          ok: false,
          error: { code: 'VALIDATION', fields: { pdfFolder: problem } },
        },
      )
    }
    expect(await snapshot(app.services.db, ['settings', 'audit'])).toBe(before)
    expect(await app.invoke('pc', 'settings.updateWorkstation', settings(app.dir))).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
  })

  it('a folder gone since it was chosen (a drive unplugged) is refused at save time in words, writing nothing', async () => {
    const usb = join(app.dir, 'usb')
    mkdirSync(usb)
    const chosen = join(usb, 'pdf')
    expect(await app.invoke('admin', 'settings.updateWorkstation', settings(chosen))).toMatchObject({
      ok: true,
    })
    // The drive is gone and a file now stands where its folder was.
    rmSync(usb, { recursive: true })
    writeFileSync(usb, 'not a drive')
    expect(await app.invoke('pc', 'print.pdf', { layout: 'a4', name: '領収書-3' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { pdfFolder: 'cannot_create' } },
    })
    expect(existsSync(chosen)).toBe(false)
  })
})
