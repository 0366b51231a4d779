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

export interface PdfOptions {
  pageSize: { width: number; height: number }
  landscape: boolean
  printBackground: boolean
  preferCSSPageSize: boolean
  margins: { marginType: 'none' }
}

export interface PaperPrintOptions {
  silent: boolean
  deviceName?: string
  printBackground: boolean
  landscape: boolean
  pageSize: { width: number; height: number }
  margins: { marginType: 'none' }
}

export function pdfOptions(layout: PaperLayout): PdfOptions {
  const paper = PAPER_SIZES[layout]
  return {
    pageSize: paper.pdfInches,
    landscape: paper.landscape,
    printBackground: true,
    preferCSSPageSize: true,
    // The print views carry their own margins in CSS (`@page`), so the printer adds none.
    margins: { marginType: 'none' },
  }
}

/** A named printer prints without the dialog; with none chosen the system's print dialog asks. */
export function paperPrintOptions(layout: PaperLayout, printerName: string): PaperPrintOptions {
  const paper = PAPER_SIZES[layout]
  return {
    silent: printerName !== '',
    ...(printerName ? { deviceName: printerName } : {}),
    printBackground: true,
    landscape: paper.landscape,
    pageSize: paper.printMicrons,
    margins: { marginType: 'none' },
  }
}
