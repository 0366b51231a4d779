import type { WebContents } from 'electron'
import type { PrintPort } from './printService'

/** The part of Electron's `WebContents` printing uses (type only: nothing here loads Electron). */
export type PrintableContents = Pick<WebContents, 'printToPDF' | 'print' | 'getPrintersAsync'>

/**
 * What `webContents.print` reports when the person closes the system's print dialog (Electron 21 and
 * later): the person's choice, not a failure.
 */
export const PRINT_CANCELLED = 'Print job canceled'

/** Prints what the window shows: the renderer has switched to its print view before calling. */
export function electronPrintPort(contents: () => PrintableContents | undefined): PrintPort {
  const current = () => {
    const c = contents()
    if (!c) throw new Error('no window to print from')
    return c
  }
  return {
    printToPdf: (options) => current().printToPDF(options),
    printerNames: async () => (await current().getPrintersAsync()).map((p) => p.name),
    print: (options) =>
      new Promise((resolve, reject) =>
        current().print(options, (success, failureReason) =>
          success || failureReason === PRINT_CANCELLED
            ? resolve()
            : reject(new Error(`printing failed: ${failureReason}`)),
        ),
      ),
  }
}
