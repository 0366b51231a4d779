import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  isAllowedExternal,
  EXTERNAL_LINK_HOSTS,
  permissionAllowed,
  windowOpenDecision,
} from '../../src/main/shell/externalLinks'
import { DatabaseInUseError, lockDatabase } from '../../src/main/shell/instanceLock'
import { mainWindowOptions } from '../../src/main/shell/windowOptions'

const HOSTS = ['help.bank.example']

describe('openExternal only for allow-listed hosts', () => {
  it('the shipped list is empty: the app links to no outside page, so every request is refused', () => {
    expect(EXTERNAL_LINK_HOSTS).toEqual([])
    expect(isAllowedExternal('https://example.com/')).toBe(false)
  })

  it('allows an allow-listed https host on the default port', () => {
    expect(isAllowedExternal('https://help.bank.example/otp', HOSTS)).toBe(true)
    expect(isAllowedExternal('https://HELP.bank.example/', HOSTS)).toBe(true)
  })

  it.each([
    'http://help.bank.example/',
    'https://help.bank.example.evil.example/',
    'https://evil.example/?help.bank.example',
    'https://user:pw@help.bank.example/',
    'https://help.bank.example:8443/',
    'file:///etc/passwd',
    'ms-msdt:/id PCWDiagnostic',
    'javascript:alert(1)',
    'smb://help.bank.example/share',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAllowedExternal(url, HOSTS)).toBe(false)
  })

  it('window.open and middle clicks never open an app window', () => {
    expect(windowOpenDecision('https://help.bank.example/', HOSTS)).toEqual({
      action: 'deny',
      openExternally: true,
    })
    expect(windowOpenDecision('https://evil.example/', HOSTS)).toEqual({
      action: 'deny',
      openExternally: false,
    })
  })
})

describe('window options and handlers', () => {
  it('blocks auxclick (middle-click link opening)', () => {
    expect(mainWindowOptions('/p/index.cjs').webPreferences.disableBlinkFeatures).toBe('Auxclick')
  })

  it('refuses every permission request', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid'])
      expect(permissionAllowed(p)).toBe(false)
  })

  it('the Electron entry wires each check (single-instance lock, handlers, no shell.openExternal elsewhere)', () => {
    const source = readFileSync('src/main/index.ts', 'utf8')
    expect(source).toContain('requestSingleInstanceLock()')
    // One process per Windows user is Electron's lock; a lock file naming a process id could name a
    // reused id after a power cut and keep the PC out of its own database.
    expect(source).not.toContain('lockDatabase')
    expect(source).toContain('setPermissionRequestHandler')
    expect(source).toContain('setPermissionCheckHandler')
    expect(source).toContain("'will-navigate'")
    expect(source).toContain("'will-redirect'")
    expect(source).toContain('isTrustedSender(')
    expect(source.match(/shell\.openExternal\(/g)).toHaveLength(1)
    expect(source).toMatch(/if \(decision\.openExternally\) void shell\.openExternal\(url\)/)
  })
})

describe('one process per database', () => {
  it('refuses a second opener while the first runs, and frees the file on release', () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'token-desk-lock-')), 'desk.sqlite')
    // A live process that is not us holds the lock.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
    try {
      writeFileSync(`${dbFile}.lock`, String(holder.pid))
      expect(() => lockDatabase(dbFile)).toThrow(DatabaseInUseError)
    } finally {
      holder.kill('SIGKILL')
    }
  })

  it('takes over a lock left by a process that died', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'token-desk-lock-')), 'desk.sqlite')
    const dead = spawn(process.execPath, ['-e', '0'])
    await new Promise((r) => dead.on('exit', r))
    writeFileSync(`${dbFile}.lock`, String(dead.pid))
    const release = lockDatabase(dbFile)
    expect(readFileSync(`${dbFile}.lock`, 'utf8')).toBe(String(process.pid))
    release()
    const again = lockDatabase(dbFile)
    again()
  })
})
