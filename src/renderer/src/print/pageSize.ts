import { onBeforeUnmount, watchEffect, type Ref } from 'vue'
import type { PaperLayout } from '../../../shared/reports'

/** CSS page sizes; Electron's printToPDF and Chromium's PDF both prefer them (preferCSSPageSize). */
export const PAGE_CSS: Record<PaperLayout, string> = {
  receipt80: '@page { size: 80mm 200mm; margin: 4mm 3mm; }',
  a4: '@page { size: A4 portrait; margin: 15mm 12mm; }',
  a4_landscape: '@page { size: A4 landscape; margin: 12mm 10mm; }',
}

/** Sets the page size for as long as a print view is on screen. */
export function usePageSize(layout: Ref<PaperLayout>): void {
  const style = document.createElement('style')
  style.dataset['tdPage'] = ''
  document.head.appendChild(style)
  watchEffect(() => {
    // White paper: the app's grey page background must not print below a short page's content.
    style.textContent = `${PAGE_CSS[layout.value]} @media print { html, body { background: #fff !important; } }`
  })
  onBeforeUnmount(() => style.remove())
}
