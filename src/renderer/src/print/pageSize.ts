import { onBeforeUnmount, ref, watchEffect, type Ref } from 'vue'
import type { PaperLayout, ReceiptPageSize } from '../../../shared/reports'

/** CSS page sizes; Electron's printToPDF and Chromium's PDF both prefer them (preferCSSPageSize). */
export const PAGE_CSS: Record<PaperLayout, string> = {
  receipt80: '@page { size: 80mm 200mm; margin: 4mm 3mm; }',
  a4: '@page { size: A4 portrait; margin: 15mm 12mm; }',
  a4_landscape: '@page { size: A4 landscape; margin: 12mm 10mm; }',
}

/**
 * An 80 mm receipt on the printer's own paper (端末設定): the margins only, so the length the printer's
 * driver is set to applies (Electron prints it with usePrinterDefaultPageSize).
 */
export const PRINTER_PAPER_CSS = '@page { margin: 4mm 3mm; }'

/** The page size rule for a layout, and for receipts the size 端末設定 chose. */
export function pageCss(layout: PaperLayout, receiptPageSize: ReceiptPageSize): string {
  return layout === 'receipt80' && receiptPageSize === 'printer' ? PRINTER_PAPER_CSS : PAGE_CSS[layout]
}

/** Sets the page size for as long as a print view is on screen. */
export function usePageSize(
  layout: Ref<PaperLayout>,
  receiptPageSize: Ref<ReceiptPageSize> = ref('layout'),
): void {
  const style = document.createElement('style')
  style.dataset['tdPage'] = ''
  document.head.appendChild(style)
  watchEffect(() => {
    // White paper: the app's grey page background must not print below a short page's content.
    style.textContent = `${pageCss(layout.value, receiptPageSize.value)} @media print { html, body { background: #fff !important; } }`
  })
  onBeforeUnmount(() => style.remove())
}
