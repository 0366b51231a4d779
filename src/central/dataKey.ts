import { existsSync } from 'node:fs'
import { FileKeyStore } from '../core/security/keyStore'

export const KEY_FILE_ENV = 'CENTRAL_KEY_FILE'
export const DATA_KEY_ENV = 'CENTRAL_DATA_KEY'

export class MissingDataKeyError extends Error {
  constructor() {
    super(
      `name central's data key at start: --key-file FILE, ${KEY_FILE_ENV}=FILE, or ${DATA_KEY_ENV}=<32 bytes in base64>` +
        ' (it seals the seeds and secrets at rest; it is never looked for beside the database)',
    )
    this.name = 'MissingDataKeyError'
  }
}

/**
 * Central's data key, from where the operator named it at start: a key file (--key-file, or the file
 * CENTRAL_KEY_FILE names) or the key itself in CENTRAL_DATA_KEY. Never silently from beside the
 * database: a key kept next to the data it protects protects nothing once both are copied. A named key
 * file that does not exist yet is created (owner-only) and reported.
 */
export function loadCentralDataKey(
  keyFileOption: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  report: (line: string) => void = (line) => console.error(line),
): Buffer {
  const keyFile = keyFileOption ?? env[KEY_FILE_ENV]
  if (keyFile) {
    const isNew = !existsSync(keyFile)
    const key = new FileKeyStore(keyFile).dataKey()
    if (isNew)
      report(`[central] a new data key was written to ${keyFile}; keep a copy apart from the database`)
    return key
  }
  const inline = env[DATA_KEY_ENV]
  if (inline) {
    const key = Buffer.from(inline.trim(), 'base64')
    if (key.length !== 32) throw new Error(`${DATA_KEY_ENV} must hold 32 bytes in base64`)
    return key
  }
  throw new MissingDataKeyError()
}
