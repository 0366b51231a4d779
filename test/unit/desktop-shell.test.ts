import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import log from 'electron-log/node'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeClock } from '../../src/main/clock'
import { startDesktopLog } from '../../src/main/logging/desktopLog'
import { LOG_FILE_NAME, type ElectronLogLike } from '../../src/main/logging/fileLog'
import { LOG_MAX_BYTES } from '../../src/main/logging/rotation'
import { electronPrintPort, type PrintableContents } from '../../src/main/printing/electronPort'
import { pdfOptions } from '../../src/main/printing/layouts'
import { PrintService } from '../../src/main/printing/printService'
import { desktopPaths, PDF_FOLDER_NAME } from '../../src/main/shell/desktopPaths'
import { SafeStorageKeyStore, type SafeStorageLike } from '../../src/main/shell/safeStorageKeyStore'

/**
 * What src/main/index.ts does besides calling Electron, run in plain Node: where the files go, the
 * data key wrapped by the OS key store, the log at start, and a PDF saved where the paths say.
 */
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-desktop-'))
})
afterEach(() => {
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Stands in for Electron's safeStorage (DPAPI / libsecret): real AES-GCM under a key that belongs to
 * one OS user, so another user's store cannot unwrap the file, as with the real one.
 */
function osKeyStore(available = true): SafeStorageLike {
  const userKey = randomBytes(32)
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', userKey, iv)
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decryptString: (data) => {
      const decipher = createDecipheriv('aes-256-gcm', userKey, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(12, 28))
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8')
    },
  }
}

describe('where the desktop app keeps its files', () => {
  it('database, key and logs in the app data folder; PDFs in Documents/Token Desk', () => {
    const paths = desktopPaths('/home/sato/.config/Token Desk', () => '/home/sato/Documents')
    expect(paths).toEqual({
      dbFile: '/home/sato/.config/Token Desk/token-desk.sqlite',
      keyFile: '/home/sato/.config/Token Desk/token-desk.key',
      logDirectory: '/home/sato/.config/Token Desk/logs',
      pdfDirectory: `/home/sato/Documents/${PDF_FOLDER_NAME}`,
    })
  })

  it('without a Documents folder (Electron throws, or answers nothing) the PDFs go to the app data folder', () => {
    const noDocuments = () => {
      throw new Error("Failed to get 'documents' path")
    }
    expect(desktopPaths('/data/td', noDocuments).pdfDirectory).toBe('/data/td/pdf')
    expect(desktopPaths('/data/td', () => '').pdfDirectory).toBe('/data/td/pdf')
  })

  it('「PDFで保存」 writes into the chosen folder, creating it, with the layout’s page options', async () => {
    const paths = desktopPaths(join(dir, 'userData'), () => join(dir, 'Documents'))
    const asked: object[] = []
    const contents: PrintableContents = {
      printToPDF: async (options) => {
        asked.push(options)
        return Buffer.from('%PDF-1.7 receipt')
      },
      print: (_options, callback) => callback(true, ''),
      getPrintersAsync: async () => [],
    }
    const printing = new PrintService(
      electronPrintPort(() => contents),
      paths.pdfDirectory,
      new FakeClock('2026-11-25T01:00:00Z'),
    )
    const saved = await printing.savePdf('a4', '領収書 001-01-20261125-0001')
    expect(saved.path).toBe(
      join(dir, 'Documents', 'Token Desk', '領収書 001-01-20261125-0001-20261125T010000.pdf'),
    )
    expect(readFileSync(saved.path, 'utf8')).toBe('%PDF-1.7 receipt')
    expect(asked).toEqual([pdfOptions('a4')])
  })
})

describe('the data key wrapped by the OS key store', () => {
  it('is made once, stored wrapped (never in the clear) for its owner only, and read back on the next start', () => {
    const os = osKeyStore()
    const file = join(dir, 'userData', 'token-desk.key')
    const key = new SafeStorageKeyStore(os, file).dataKey()
    expect(key).toHaveLength(32)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const stored = readFileSync(file)
    expect(stored.includes(Buffer.from(key.toString('base64')))).toBe(false)
    expect(stored.includes(key)).toBe(false)
    // The next start (a new store object) reads the same key.
    expect(new SafeStorageKeyStore(os, file).dataKey().equals(key)).toBe(true)
  })

  it('refuses when the OS key store is not available, writing nothing', () => {
    const file = join(dir, 'token-desk.key')
    expect(() => new SafeStorageKeyStore(osKeyStore(false), file).dataKey()).toThrow(/OS key store/)
    expect(existsSync(file)).toBe(false)
  })

  it('another OS user cannot unwrap the file; a file without a 32-byte key is refused', () => {
    const file = join(dir, 'token-desk.key')
    new SafeStorageKeyStore(osKeyStore(), file).dataKey()
    expect(() => new SafeStorageKeyStore(osKeyStore(), file).dataKey()).toThrow()
    const os = osKeyStore()
    const short = join(dir, 'short.key')
    writeFileSync(short, os.encryptString(randomBytes(16).toString('base64')))
    expect(() => new SafeStorageKeyStore(os, short).dataKey()).toThrow(/32-byte/)
  })
})

describe('the log at start', () => {
  it('goes to <logs>/token-desk.log rotated at 1 MB, says which version started, and logs failures without secrets', () => {
    const logger = log.create({ logId: `desktop-${Date.now()}` }) as unknown as ElectronLogLike
    logger.transports.console.level = false
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {})
    const logs = join(dir, 'logs')
    const { path, logFailure } = startDesktopLog(logger, logs, { version: '0.1.0', electron: '39.0.0' })
    expect(path).toBe(join(logs, LOG_FILE_NAME))
    expect(logger.transports.file.maxSize).toBe(LOG_MAX_BYTES)
    expect(logger.transports.file.level).toBe('info')
    const failure = new Error(
      'SQLITE_CONSTRAINT: insert into staff values (password_hash=scrypt$abc, seed=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)',
    )
    logFailure('auth.login', failure)
    const text = readFileSync(path, 'utf8')
    expect(text).toMatch(/\[info\]\s+Token Desk 0\.1\.0 starting \(Electron 39\.0\.0\)/)
    expect(text).toMatch(/\[error\]\s+auth\.login failed: Error at /)
    expect(stderr).toHaveBeenCalledWith(
      expect.stringMatching(/^\[token-desk\] auth\.login failed: Error at /),
    )
    // describeFailure leaves the message (with its values) out, and the redaction is there behind it.
    expect(text).not.toContain('scrypt$abc')
    expect(text).not.toContain('JBSWY3DPEHPK3PXP')
    expect(readdirSync(logs)).toEqual([LOG_FILE_NAME])
  })
})
