import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'

/**
 * The desktop packaging is only built on a developer's machine with internet access (electron-builder
 * downloads Electron and NSIS), so CI checks what it can without building: the config parses, names the
 * installers the branches need, and points at icons that exist and are the right kind and size.
 */
const root = resolve(__dirname, '../..')
const read = (path: string) => readFileSync(resolve(root, path))
interface Target {
  target: string
  arch: string[]
}
const config = load(read('electron-builder.yml').toString('utf8')) as {
  appId: string
  productName: string
  directories: { buildResources: string; output: string }
  files: string[]
  asarUnpack: string[]
  npmRebuild: boolean
  win: { target: Target[]; icon: string }
  nsis: { oneClick: boolean; perMachine: boolean; installerIcon: string; installerLanguages: string[] }
  linux: { target: Target[]; icon: string }
}
const pkg = JSON.parse(read('package.json').toString('utf8')) as {
  scripts: Record<string, string>
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

describe('electron-builder.yml', () => {
  it('builds a Windows x64 NSIS installer and a Linux x64 AppImage', () => {
    expect(config.productName).toBe('Token Desk')
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }])
    expect(config.linux.target).toEqual([{ target: 'AppImage', arch: ['x64'] }])
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true })
    expect(config.nsis.installerLanguages).toContain('ja_JP')
  })

  it('packs the built app, keeps sqlite3 outside the archive and does not rebuild it', () => {
    expect(config.files).toContain('out/**/*')
    expect(config.asarUnpack).toContain('node_modules/sqlite3/**')
    // A rebuild would replace node_modules' Node build of sqlite3 in place (Node-API needs none).
    expect(config.npmRebuild).toBe(false)
    expect(config.directories.buildResources).toBe('resources')
  })

  it('names icons in resources/ that exist: a 512 px PNG and a Windows ICO with a 256 px image', () => {
    expect(config.linux.icon).toBe('resources/icon.png')
    expect(pngSize(read(config.linux.icon))).toEqual({ width: 512, height: 512 })
    for (const path of [config.win.icon, config.nsis.installerIcon]) {
      expect(path).toBe('resources/icon.ico')
      const ico = read(path)
      expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1])
      const count = ico.readUInt16LE(4)
      const widths = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + 16 * i) || 256)
      expect(widths).toContain(256)
      expect(widths).toContain(16)
    }
  })

  it('is built by build:win / build:linux only, never by CI or npm test', () => {
    expect(pkg.devDependencies['electron-builder']).toBeDefined()
    expect(pkg.dependencies['electron-builder']).toBeUndefined()
    expect(pkg.scripts['build:win']).toMatch(
      /electron-builder --config electron-builder\.yml --win nsis --x64/,
    )
    expect(pkg.scripts['build:linux']).toMatch(
      /electron-builder --config electron-builder\.yml --linux AppImage --x64/,
    )
    for (const file of ['.ci/run', 'scripts/test.mjs'])
      expect(read(file).toString('utf8')).not.toMatch(/electron-builder|build:win|build:linux/)
  })
})
