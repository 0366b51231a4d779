import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SafeStorage } from 'electron'
import { DataKeyLostError, type KeyStore } from '../../core/security/keyStore'

/** The part of Electron's `safeStorage` the key store uses: the asynchronous calls only. */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync'
>

/** The OS key store (DPAPI, libsecret) cannot be used now: the app cannot start, but nothing is lost. */
export class OsKeyStoreUnavailableError extends Error {
  constructor() {
    super('the OS key store is not available')
    this.name = 'OsKeyStoreUnavailableError'
  }
}

/**
 * The desktop app's data key: 32 random bytes made on first start, wrapped by the operating system's
 * keychain (DPAPI on Windows, libsecret on Linux) and kept beside the database, so a copied database
 * and key file are useless on another PC or user account. Only safeStorage's asynchronous calls are
 * used (the synchronous ones are deprecated in Electron 45 and removed in 46); they also open a file
 * the synchronous `encryptString` wrapped.
 */
export class SafeStorageKeyStore implements KeyStore {
  private key: Promise<Buffer> | undefined

  constructor(
    private readonly safeStorage: SafeStorageLike,
    readonly file: string,
  ) {}

  dataKey(): Promise<Buffer> {
    this.key ??= this.load()
    return this.key
  }

  private async load(): Promise<Buffer> {
    // Without the OS key store the key would sit on disk in the clear: refuse rather than weaken it.
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) throw new OsKeyStoreUnavailableError()
    if (!existsSync(this.file)) return this.create()
    let opened: Awaited<ReturnType<SafeStorageLike['decryptStringAsync']>>
    try {
      opened = await this.safeStorage.decryptStringAsync(readFileSync(this.file))
    } catch (e) {
      throw new DataKeyLostError(this.file, 'unreadable', { cause: e })
    }
    const key = Buffer.from(opened.result, 'base64')
    if (key.length !== 32) throw new DataKeyLostError(this.file, 'unreadable')
    if (opened.shouldReEncrypt) await this.rewrap(key)
    return key
  }

  private async create(): Promise<Buffer> {
    mkdirSync(dirname(this.file), { recursive: true })
    const key = randomBytes(32)
    const wrapped = await this.safeStorage.encryptStringAsync(key.toString('base64'))
    // 'wx': never overwrite a key file another start wrote meanwhile (its data would be lost).
    writeFileSync(this.file, wrapped, { mode: 0o600, flag: 'wx' })
    return key
  }

  /**
   * The OS asked for the key to be wrapped again (its own key was rotated): the new wrapping is written
   * beside the file and renamed over it, so a cut-off write never leaves a key file that opens nothing.
   * If that fails the old wrapping still opens, and the next start asks again.
   */
  private async rewrap(key: Buffer): Promise<void> {
    const next = `${this.file}.new`
    try {
      writeFileSync(next, await this.safeStorage.encryptStringAsync(key.toString('base64')), { mode: 0o600 })
      renameSync(next, this.file)
    } catch {
      // Kept as it was; see above.
    }
  }
}
