import { randomBytes } from 'node:crypto'
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
import { DataKeyLostError } from '../../src/core/security/keyStore'
import { DATA_FOLDER_NAME, desktopDataFolder, desktopPaths } from '../../src/main/shell/desktopPaths'
import { OsKeyStoreUnavailableError, SafeStorageKeyStore } from '../../src/main/shell/safeStorageKeyStore'
import { osKeyStore } from '../support/electronStandIn'

/**
 * What src/main/index.ts does besides calling Electron, run in plain Node: where the files go, the
 * data key wrapped by the OS key store, the log at start, and a PDF saved where the paths say.
 * index.ts itself runs against a stand-in for Electron in desktop-main.test.ts.
 */
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-desktop-'))
})
afterEach(() => {
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

describe('where the desktop app keeps its files', () => {
  it('Windows: %LOCALAPPDATA%\\Token Desk, never the roaming profile, whatever the app is named', () => {
    const env = {
      LOCALAPPDATA: 'C:\\Users\\sato\\AppData\\Local',
      APPDATA: 'C:\\Users\\sato\\AppData\\Roaming',
    }
    const folder = desktopDataFolder('win32', env, 'C:\\Users\\sato\\AppData\\Roaming')
    expect(folder).toBe('C:\\Users\\sato\\AppData\\Local\\Token Desk')
    expect(desktopDataFolder('win32', {}, 'C:\\Users\\sato\\AppData\\Roaming')).toBe(folder)
    expect(desktopPaths(folder, 'win32')).toEqual({
      dataFolder: folder,
      dbFile: `${folder}\\token-desk.sqlite`,
      keyFile: `${folder}\\token-desk.key`,
      logDirectory: `${folder}\\logs`,
      pdfDirectory: `${folder}\\pdf`,
      crashDumps: `${folder}\\crashes`,
    })
    expect(DATA_FOLDER_NAME).toBe('Token Desk')
  })

  it('Linux: the app data folder; PDFs stay in the data folder, not Documents', () => {
    const folder = desktopDataFolder('linux', {}, '/home/sato/.config')
    expect(folder).toBe('/home/sato/.config/Token Desk')
    expect(desktopPaths(folder, 'linux').pdfDirectory).toBe('/home/sato/.config/Token Desk/pdf')
  })

  it('「PDFで保存」 writes into the folder, creating it, with the layout’s page options', async () => {
    const paths = desktopPaths(join(dir, 'Token Desk'), process.platform)
    const asked: object[] = []
    const contents: PrintableContents = {
      printToPDF: async (options) => {
        asked.push(options)
        return Buffer.from('%PDF-1.7 receipt')
      },
      print: (_options, callback) => callback?.(true, ''),
      getPrintersAsync: async () => [],
    }
    const printing = new PrintService(
      electronPrintPort(() => contents),
      async () => paths.pdfDirectory,
      new FakeClock('2026-11-25T01:00:00Z'),
    )
    const saved = await printing.savePdf('a4', '領収書 001-01-20261125-0001')
    expect(saved.path).toBe(join(dir, 'Token Desk', 'pdf', '領収書 001-01-20261125-0001-20261125T010000.pdf'))
    expect(readFileSync(saved.path, 'utf8')).toBe('%PDF-1.7 receipt')
    expect(asked).toEqual([pdfOptions('a4')])
  })
})

describe('the data key wrapped by the OS key store', () => {
  it('is made once, stored wrapped (never in the clear) for its owner only, and read back on the next start', async () => {
    const os = osKeyStore()
    const file = join(dir, 'userData', 'token-desk.key')
    const key = await new SafeStorageKeyStore(os.store, file).dataKey()
    expect(key).toHaveLength(32)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const stored = readFileSync(file)
    expect(stored.includes(Buffer.from(key.toString('base64')))).toBe(false)
    expect(stored.includes(key)).toBe(false)
    // The next start (a new store object) reads the same key.
    expect((await new SafeStorageKeyStore(os.store, file).dataKey()).equals(key)).toBe(true)
  })

  it('refuses when the OS key store is not available, writing nothing', async () => {
    const file = join(dir, 'token-desk.key')
    await expect(
      new SafeStorageKeyStore(osKeyStore({ available: false }).store, file).dataKey(),
    ).rejects.toThrow(OsKeyStoreUnavailableError)
    expect(existsSync(file)).toBe(false)
  })

  it('a file another OS user wrapped, or one without a 32-byte key, is a lost key (the file is left as it is)', async () => {
    const file = join(dir, 'token-desk.key')
    await new SafeStorageKeyStore(osKeyStore().store, file).dataKey()
    const before = readFileSync(file)
    const lost = new SafeStorageKeyStore(osKeyStore().store, file).dataKey()
    await expect(lost).rejects.toBeInstanceOf(DataKeyLostError)
    await expect(lost).rejects.toMatchObject({ reason: 'unreadable', file })
    expect(readFileSync(file).equals(before)).toBe(true)
    const os = osKeyStore()
    const short = join(dir, 'short.key')
    writeFileSync(short, await os.store.encryptStringAsync(randomBytes(16).toString('base64')))
    await expect(new SafeStorageKeyStore(os.store, short).dataKey()).rejects.toMatchObject({
      reason: 'unreadable',
    })
  })

  it('wraps the key again when the OS asks (its own key rotated), and the key stays the same', async () => {
    const file = join(dir, 'token-desk.key')
    const rotated = osKeyStore({ rotated: true })
    const key = randomBytes(32)
    writeFileSync(file, await rotated.store.encryptStringAsync(key.toString('base64')))
    const wrapped = readFileSync(file)
    expect((await new SafeStorageKeyStore(rotated.store, file).dataKey()).equals(key)).toBe(true)
    expect(rotated.calls.encrypt).toBe(2)
    expect(readFileSync(file).equals(wrapped)).toBe(false)
    expect(existsSync(`${file}.new`)).toBe(false)
    expect((await new SafeStorageKeyStore(rotated.store, file).dataKey()).equals(key)).toBe(true)
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
