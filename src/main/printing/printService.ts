import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PaperLayout } from '../../shared/reports'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { checkedPdfFolder } from '../services/workstationSettings'
import {
  paperPrintOptions,
  pdfOptions,
  type PaperPrintOptions,
  type PdfOptions,
  type ReceiptPageSize,
} from './layouts'

/**
 * What printing needs from the window that shows the print view. In the desktop app it is the main
 * window's webContents (see `electronPrintPort`); in browser mode there is none and the screen uses the
 * browser's own print instead.
 */
export interface PrintPort {
  printToPdf(options: PdfOptions): Promise<Uint8Array>
  print(options: PaperPrintOptions): Promise<void>
  /** The printers installed on this PC, for the admin to choose the receipt printer. */
  printerNames(): Promise<string[]>
}

/** A file name a person can read and every OS accepts: no path separators or reserved characters. */
export function safePdfName(name: string, at: Date): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\\/:*?"<>|]/g, '_')
    .replace(/\p{Cc}/gu, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 80)
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15)
  return `${cleaned || 'token-desk'}-${stamp}.pdf`
}

/** Saves the window's print view as a PDF in the PDF folder, or sends it to the printer. */
export class PrintService {
  constructor(
    private readonly port: PrintPort | undefined,
    /** The folder 端末設定 names for PDFs (or the default), looked up at each save. */
    private readonly pdfFolder: () => Promise<string | null>,
    private readonly clock: Clock,
  ) {}

  get available(): boolean {
    return this.port !== undefined
  }

  async savePdf(layout: PaperLayout, name: string): Promise<{ path: string; bytes: number }> {
    const port = this.requirePort()
    const chosen = await this.pdfFolder()
    if (!chosen) throw new DomainError('CONFLICT', 'no folder for PDF files is set')
    // Checked at each save (created if missing, a file written): a USB drive or share may have gone.
    const folder = checkedPdfFolder(chosen)
    const pdf = await port.printToPdf(pdfOptions(layout))
    const path = join(folder, safePdfName(name, this.clock.now()))
    await writeFile(path, pdf, { flag: 'wx' })
    return { path, bytes: pdf.byteLength }
  }

  /** Installed printers; none in browser mode, where the browser's dialog chooses. */
  async printers(): Promise<{ desktop: boolean; names: string[] }> {
    if (!this.port) return { desktop: false, names: [] }
    return { desktop: true, names: [...new Set(await this.port.printerNames())].sort() }
  }

  async print(layout: PaperLayout, printerName: string, receiptPageSize: ReceiptPageSize): Promise<void> {
    await this.requirePort().print(paperPrintOptions(layout, printerName, receiptPageSize))
  }

  private requirePort(): PrintPort {
    if (!this.port) throw new DomainError('CONFLICT', 'printing through the app needs the desktop app')
    return this.port
  }
}
