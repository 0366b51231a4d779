import log from 'electron-log/node'
import { configureFileLog, type ElectronLogLike } from './fileLog'

/**
 * Browser mode's log: electron-log's plain-Node build with the same files, rotation and redaction as
 * the desktop app, so "ログを保存（サポート用）" works (and is tested) without Electron.
 */
export function startNodeFileLog(directory: string): { log: ElectronLogLike; path: string } {
  const logger = log as unknown as ElectronLogLike
  const path = configureFileLog(logger, directory)
  // The launcher prints to the terminal itself; the log goes to the files only.
  logger.transports.console.level = false
  return { log: logger, path }
}
