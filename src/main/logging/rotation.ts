import { existsSync, renameSync, rmSync } from 'node:fs'

/** How many files of a log are kept: the live one and four older ones (1 MB each). */
export const LOG_FILES_KEPT = 5
export const LOG_MAX_BYTES = 1024 * 1024

/** `main.log` → `main.1.log`: older files count up, the oldest is dropped. */
export function archivedName(file: string, n: number): string {
  return file.replace(/(\.log)?$/, `.${n}.log`)
}

/**
 * Rotates `file` when it is full: main.3.log → main.4.log, …, main.log → main.1.log, keeping `kept`
 * files in all. Used as electron-log's `archiveLogFn`, which then starts a fresh `file`.
 */
export function rotateLogFiles(file: string, kept = LOG_FILES_KEPT): void {
  const oldest = archivedName(file, kept - 1)
  if (existsSync(oldest)) rmSync(oldest)
  for (let n = kept - 2; n >= 1; n--) {
    const from = archivedName(file, n)
    if (existsSync(from)) renameSync(from, archivedName(file, n + 1))
  }
  if (existsSync(file)) renameSync(file, archivedName(file, 1))
}
