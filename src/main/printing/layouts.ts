import type { PrintToPDFOptions, WebContentsPrintOptions } from 'electron'
import type { PaperLayout } from '../../shared/reports'

/**
 * Paper sizes for Electron's printing. The print views set the same sizes with CSS `@page`, and both
 * calls prefer the CSS size, so the desktop app's PDF and the browser's print (and the tests' PDF from
 * Chromium) lay out the same pages.
 */
export interface PaperSize {
  /** For `webContents.printToPDF`: inches. */
  pdfInches: { width: number; height: number }
  /** For `webContents.print`: microns. */
  printMicrons: { width: number; height: number }
  landscape: boolean
}

const MM_PER_INCH = 25.4

function size(widthMm: number, heightMm: number, landscape = false): PaperSize {
  return {
    pdfInches: { width: widthMm / MM_PER_INCH, height: heightMm / MM_PER_INCH },
    printMicrons: { width: widthMm * 1000, height: heightMm * 1000 },
    landscape,
  }
}

/** An 80 mm roll is cut after the receipt; 200 mm is room for the longest receipt (a waiver with a note). */
export const PAPER_SIZES: Record<PaperLayout, PaperSize> = {
  receipt80: size(80, 200),
  a4: size(210, 297),
  a4_landscape: size(210, 297, true),
}

/** What `webContents.printToPDF` takes, as Electron's own types say. */
export type PdfOptions = PrintToPDFOptions
/** What `webContents.print` takes, as Electron's own types say. */
export type PaperPrintOptions = WebContentsPrintOptions

/** Receipts on the 80 mm printer: the layout's page, or the paper the printer's driver is set to. */
export type ReceiptPageSize = 'layout' | 'printer'

export function pdfOptions(layout: PaperLayout): PdfOptions {
  const paper = PAPER_SIZES[layout]
  return {
    pageSize: paper.pdfInches,
    landscape: paper.landscape,
    printBackground: true,
    preferCSSPageSize: true,
    // The print views carry their own margins in CSS (`@page`), so the PDF adds none (inches).
    margins: { top: 0, bottom: 0, left: 0, right: 0 },
  }
}

/**
 * A named printer prints without the dialog; with none chosen the system's print dialog asks. An 80 mm
 * receipt goes on the layout's 80 × 200 mm page, or on the printer's own paper size when 端末設定 says
 * so (a roll printer whose driver cuts its own length).
 */
export function paperPrintOptions(
  layout: PaperLayout,
  printerName: string,
  receiptPageSize: ReceiptPageSize = 'layout',
): PaperPrintOptions {
  const paper = PAPER_SIZES[layout]
  const printerPaper = layout === 'receipt80' && receiptPageSize === 'printer'
  return {
    silent: printerName !== '',
    ...(printerName ? { deviceName: printerName } : {}),
    printBackground: true,
    landscape: paper.landscape,
    ...(printerPaper ? { usePrinterDefaultPageSize: true } : { pageSize: paper.printMicrons }),
    margins: { marginType: 'none' },
  }
}
