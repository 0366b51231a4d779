import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { randomBytes } from 'node:crypto'

/**
 * Where the workstation's 32-byte data key comes from. In the Electron app the key is wrapped by the
 * OS (safeStorage, see src/main/index.ts); in plain Node (browser mode, tests) it is a key file.
 */
export interface KeyStore {
  dataKey(): Buffer
}

/** A key file readable by its owner only; created on first use. For browser mode and tests. */
export class FileKeyStore implements KeyStore {
  private key: Buffer | undefined

  constructor(private readonly file: string) {}

  dataKey(): Buffer {
    if (this.key) return this.key
    if (existsSync(this.file)) {
      const key = Buffer.from(readFileSync(this.file, 'utf8').trim(), 'base64')
      if (key.length !== 32) throw new Error(`key file ${this.file} does not hold a 32-byte key`)
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
