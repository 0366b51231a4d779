import { posix, win32 } from 'node:path'

/** The folder the desktop app keeps its data in, under the platform's per-user, per-machine data folder. */
export const DATA_FOLDER_NAME = 'Token Desk'

/** The app's Windows ID: appId in electron-builder.yml, which the installer's shortcuts carry. */
export const APP_USER_MODEL_ID = 'jp.tokendesk.branch'

/**
 * `%LOCALAPPDATA%\Token Desk` on Windows: the per-user folder that stays on this PC. Not Roaming
 * (`%APPDATA%`, Electron's default): roaming profiles and folder redirection would carry the database,
 * its write-ahead log and the DPAPI-wrapped key to a server or another PC, where two PCs would sync as
 * one client. Named here, not derived from the app's name, so renaming the app never moves the data to
 * an empty folder. Elsewhere (the Linux AppImage) `<appData>/Token Desk`.
 */
export function desktopDataFolder(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  appData: string,
): string {
  if (platform !== 'win32') return posix.join(appData, DATA_FOLDER_NAME)
  // %APPDATA% is ...\AppData\Roaming; Local is its sibling when LOCALAPPDATA is not set.
  return win32.join(env['LOCALAPPDATA'] || win32.join(appData, '..', 'Local'), DATA_FOLDER_NAME)
}

/** Where the desktop app keeps its files, all inside the data folder. */
export interface DesktopPaths {
  /** Electron's userData: Chromium's own files and the single-instance lock live here too. */
  dataFolder: string
  dbFile: string
  keyFile: string
  /** Rotating log files (electron-log), read by 「ログを保存（サポート用）」. */
  logDirectory: string
  /** Where 「PDFで保存」 writes unless 端末設定 names another folder. */
  pdfDirectory: string
  /** Crash dumps (kept on this PC; nothing is uploaded). */
  crashDumps: string
}

/**
 * PDFs hold customers' data, so by default they stay in the data folder too rather than in Documents,
 * which OneDrive's folder backup may carry off the PC; 端末設定 can name another folder.
 */
export function desktopPaths(dataFolder: string, platform: NodeJS.Platform): DesktopPaths {
  const { join } = platform === 'win32' ? win32 : posix
  return {
    dataFolder,
    dbFile: join(dataFolder, 'token-desk.sqlite'),
    keyFile: join(dataFolder, 'token-desk.key'),
    logDirectory: join(dataFolder, 'logs'),
    pdfDirectory: join(dataFolder, 'pdf'),
    crashDumps: join(dataFolder, 'crashes'),
  }
}
