import { logToStderr, type FailureLogger } from '../ipc/handlers'
import { configureFileLog, failureLoggerFor, type ElectronLogLike } from './fileLog'

/**
 * The desktop app's log at start: electron-log's file transport set up (rotation, redaction, see
 * fileLog.ts), a first line saying which version started, and the handler table's failure logger
 * writing both to stderr (as in browser mode) and to the files support receives.
 */
export function startDesktopLog(
  log: ElectronLogLike,
  directory: string,
  about: { version: string; electron: string },
): { path: string; logFailure: FailureLogger } {
  const path = configureFileLog(log, directory)
  log.info(`Token Desk ${about.version} starting (Electron ${about.electron})`)
  const toFile = failureLoggerFor(log)
  return {
    path,
    logFailure: (channel, error) => {
      logToStderr(channel, error)
      toFile(channel, error)
    },
  }
}
