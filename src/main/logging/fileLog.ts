import { join } from 'node:path'
import { describeFailure, type FailureLogger } from '../ipc/handlers'
import { LOG_MAX_BYTES, rotateLogFiles } from './rotation'
import { redactSecrets } from './redact'

/** The part of an electron-log logger (main process or plain Node) that this module configures. */
export interface ElectronLogLike {
  transports: {
    file: {
      resolvePathFn: (...args: never[]) => string
      maxSize: number
      archiveLogFn: (file: { path: string; toString(): string }) => void
      format: unknown
      level: unknown
    }
    console: { level: unknown }
  }
  hooks: ((message: { data: unknown[] }, transport?: unknown) => { data: unknown[] } | false)[]
  info(...params: unknown[]): void
  warn(...params: unknown[]): void
  error(...params: unknown[]): void
}

export const LOG_FILE_NAME = 'token-desk.log'

/** Every part of a log call as redacted text: strings, errors with their stack, objects as JSON. */
function redactPart(part: unknown): unknown {
  if (typeof part === 'string') return redactSecrets(part)
  if (part instanceof Error) return redactSecrets(part.stack ?? String(part))
  if (part !== null && typeof part === 'object') {
    try {
      return redactSecrets(JSON.stringify(part))
    } catch {
      return '[unprintable object]'
    }
  }
  return part
}

/**
 * Sends electron-log's file transport to `<dir>/token-desk.log`, rotated at 1 MB with five files kept,
 * and redacts every message on its way in, so a secret that slips into a log line never reaches disk.
 */
export function configureFileLog(log: ElectronLogLike, directory: string, maxBytes = LOG_MAX_BYTES): string {
  const path = join(directory, LOG_FILE_NAME)
  log.transports.file.resolvePathFn = () => path
  log.transports.file.maxSize = maxBytes
  log.transports.file.archiveLogFn = (file) => rotateLogFiles(file.path ?? file.toString())
  log.transports.file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] {text}'
  log.transports.file.level = 'info'
  log.hooks.push((message) => ({
    ...message,
    data: message.data.map(redactPart),
  }))
  return path
}

/** The handler table's failure logger writing to the log files (and stderr, as before). */
export function failureLoggerFor(log: ElectronLogLike): FailureLogger {
  return (channel, error) => log.error(`${channel} failed: ${describeFailure(error)}`)
}
