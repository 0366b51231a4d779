import type { PrintPort } from './printService'

/**
 * The part of Electron's `WebContents` printing uses, written out so this file needs no `electron`
 * import (only src/main/index.ts imports Electron).
 */
export interface PrintableContents {
  printToPDF(options: object): Promise<Uint8Array>
  print(options: object, callback: (success: boolean, failureReason: string) => void): void
  getPrintersAsync(): Promise<{ name: string; displayName?: string }[]>
}

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
          // Closing the system's print dialog is the person's choice, not a failure.
          success || failureReason === 'cancelled'
            ? resolve()
            : reject(new Error(`printing failed: ${failureReason}`)),
        ),
      ),
  }
}
