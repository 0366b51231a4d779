import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { KeyStore } from '../../core/security/keyStore'

/**
 * The part of Electron's `safeStorage` the key store uses, written out so this file needs no `electron`
 * import (only src/main/index.ts imports Electron) and can be tested in plain Node.
 */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
}

/**
 * The desktop app's data key: 32 random bytes made on first start, wrapped by the operating system's
 * keychain (DPAPI on Windows, libsecret on Linux) and kept beside the database, so a copied database
 * and key file are useless on another PC or user account.
 */
export class SafeStorageKeyStore implements KeyStore {
  private key: Buffer | undefined

  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly file: string,
  ) {}

  dataKey(): Buffer {
    if (this.key) return this.key
    // Without the OS key store the key would sit on disk in the clear: refuse rather than weaken it.
    if (!this.safeStorage.isEncryptionAvailable()) throw new Error('the OS key store is not available')
    if (existsSync(this.file)) {
      const key = Buffer.from(this.safeStorage.decryptString(readFileSync(this.file)), 'base64')
      if (key.length !== 32) throw new Error(`key file ${this.file} does not hold a 32-byte key`)
      this.key = key
    } else {
      mkdirSync(dirname(this.file), { recursive: true })
      const key = randomBytes(32)
      // 'wx': never overwrite a key file another start wrote meanwhile (its data would be lost).
      writeFileSync(this.file, this.safeStorage.encryptString(key.toString('base64')), {
        mode: 0o600,
        flag: 'wx',
      })
      this.key = key
    }
    return this.key
  }
}
