import { join } from 'node:path'

/** Where the desktop app keeps its files, from Electron's `app.getPath` (userData, documents). */
export interface DesktopPaths {
  dbFile: string
  keyFile: string
  /** Rotating log files (electron-log), read by 「ログを保存（サポート用）」. */
  logDirectory: string
  /** Where 「PDFで保存」 writes: a folder a teller finds in Explorer. */
  pdfDirectory: string
}

export const PDF_FOLDER_NAME = 'Token Desk'

/**
 * The database, key and logs live in the user's app data folder (per Windows user, not roaming with
 * documents). PDFs go to Documents\Token Desk, where a person looks for them; when the system has no
 * Documents folder (a locked-down profile, a Linux PC without XDG folders, where Electron throws) they
 * go to a `pdf` folder in the app data folder instead of failing at start.
 */
export function desktopPaths(userData: string, documents: () => string): DesktopPaths {
  let pdfDirectory: string
  try {
    const docs = documents()
    pdfDirectory = docs ? join(docs, PDF_FOLDER_NAME) : join(userData, 'pdf')
  } catch {
    pdfDirectory = join(userData, 'pdf')
  }
  return {
    dbFile: join(userData, 'token-desk.sqlite'),
    keyFile: join(userData, 'token-desk.key'),
    logDirectory: join(userData, 'logs'),
    pdfDirectory,
  }
}
