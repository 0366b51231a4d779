import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { randomBytes } from 'node:crypto'

/**
 * Where the workstation's 32-byte data key comes from. In the Electron app the key is wrapped by the
 * OS (safeStorage, see src/main/shell/safeStorageKeyStore.ts); in plain Node (browser mode, tests) it is
 * a key file.
 */
export interface KeyStore {
  /** The key, made on first use; a DataKeyLostError when a key exists but cannot be read back. */
  dataKey(): Buffer | Promise<Buffer>
  /** The file holding the key (moved aside with the database when a lost key makes the PC start anew). */
  readonly file: string
}

/**
 * Why a data key is lost: `unreadable`, the key file exists but cannot be opened (the OS key store no
 * longer unwraps it: another Windows account, a password reset by an administrator, a new profile; or
 * the file is damaged); `mismatch`, a key opened but it is not the one this database's secrets were
 * sealed with (the key file was replaced, or the database was copied without its key).
 */
export type DataKeyLoss = 'unreadable' | 'mismatch'

export class DataKeyLostError extends Error {
  constructor(
    readonly file: string,
    readonly reason: DataKeyLoss,
    options?: ErrorOptions,
  ) {
    super(`the data key in ${file} cannot be used (${reason})`, options)
    this.name = 'DataKeyLostError'
  }
}

/** A key file readable by its owner only; created on first use. For browser mode and tests. */
export class FileKeyStore implements KeyStore {
  private key: Buffer | undefined

  constructor(readonly file: string) {}

  dataKey(): Buffer {
    if (this.key) return this.key
    if (existsSync(this.file)) {
      const key = Buffer.from(readFileSync(this.file, 'utf8').trim(), 'base64')
      if (key.length !== 32) throw new DataKeyLostError(this.file, 'unreadable')
      this.key = key
    } else {
      mkdirSync(dirname(this.file), { recursive: true })
      const key = randomBytes(32)
      writeFileSync(this.file, key.toString('base64'), { mode: 0o600, flag: 'wx' })
      chmodSync(this.file, 0o600)
      this.key = key
    }
    return this.key
  }
}
