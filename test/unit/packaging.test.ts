import { builtinModules } from 'node:module'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
// electron-builder's own pieces: its config schema and the matcher it copies `files` with.
import { FileMatcher } from 'app-builder-lib/out/fileMatcher'
import { validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { APP_USER_MODEL_ID } from '../../src/main/shell/desktopPaths'

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
  electronFuses: Record<string, boolean>
  productName: string
  directories: { buildResources: string; output: string }
  files: string[]
  asarUnpack: string[]
  npmRebuild: boolean
  win: {
    target: Target[]
    icon: string
    forceCodeSigning: boolean
    signExts: string[]
    signtoolOptions: { signingHashAlgorithms: string[] }
  }
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

describe('the installed app (electron-builder.yml against electron-builder’s own schema and matcher)', () => {
  it('is a configuration electron-builder accepts', async () => {
    await expect(
      validateConfiguration(config as never, { isEnabled: false, add: () => {} } as never),
    ).resolves.toBeUndefined()
  })

  it('flips Electron’s fuses: no run-as-Node, NODE_OPTIONS or --inspect; asar only and checked; cookies encrypted; no file:// privileges', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('is signed, native modules too, or not built at all; the certificate comes from the environment', () => {
    expect(config.win.forceCodeSigning).toBe(true)
    expect(config.win.signExts).toContain('.node')
    expect(config.win.signtoolOptions.signingHashAlgorithms).toEqual(['sha256'])
    // No certificate, password or thumbprint in the repository.
    expect(read('electron-builder.yml').toString('utf8')).not.toMatch(
      /certificate(File|Password|Sha1|SubjectName):/,
    )
  })

  it('carries the Windows app ID the shell sets (the installer’s shortcuts and the taskbar agree)', () => {
    expect(config.appId).toBe(APP_USER_MODEL_ID)
  })

  /** What electron-builder copies from the project into the app: `files` through its own matcher. */
  function packedFiles(): string[] {
    const filter = new FileMatcher(root, '', (s: string) => s, config.files).createFilter()
    const packed: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        const stat = statSync(path)
        if (!filter(path, stat)) continue
        if (stat.isDirectory()) walk(path)
        else packed.push(relative(root, path).split('\\').join('/'))
      }
    }
    walk(resolve(root, 'out'))
    if (filter(resolve(root, 'package.json'), statSync(resolve(root, 'package.json'))))
      packed.push('package.json')
    return packed
  }

  it('packs the Electron main, preload and renderer, and not the HQ console, the browser-mode bridge or source maps (npm test builds first)', () => {
    expect(existsSync(resolve(root, 'out/main/index.js')), 'run `npm run build` before the tests').toBe(true)
    const packed = packedFiles()
    expect(packed).toContain('out/main/index.js')
    expect(packed).toContain('out/preload/index.cjs')
    expect(packed).toContain('out/renderer/index.html')
    expect(packed).toContain('package.json')
    expect(packed.some((f) => f.startsWith('out/renderer/assets/') && f.endsWith('.js'))).toBe(true)
    expect(packed.filter((f) => f.startsWith('out/console/'))).toEqual([])
    expect(packed).not.toContain('out/main/bridge-cli.js')
    expect(packed.filter((f) => f.endsWith('.map'))).toEqual([])
  })

  /** The packages electron-builder packs: the lock's production packages (the `dependencies`, transitively). */
  const lock = JSON.parse(read('package-lock.json').toString('utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>
  }
  const production = new Set(
    Object.entries(lock.packages)
      .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !p.devOptional)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  )

  it('packs no renderer-only or central-only package (Vite bundles the renderer; central is no part of the desk)', () => {
    for (const name of [
      'vue',
      'element-plus',
      '@fontsource/noto-sans-jp',
      'pinia',
      'vue-i18n',
      'vue-router',
      'fastify',
      '@fastify/static',
      'pg',
      'pino',
      'csv-parse',
      'fast-xml-parser',
    ]) {
      expect(production.has(name), name).toBe(false)
      expect(pkg.dependencies[name], name).toBeUndefined()
    }
  })

  it('the Electron main and preload need only what is packed', () => {
    const needed = new Set<string>()
    const seen = new Set<string>()
    const follow = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const code = readFileSync(file, 'utf8')
      for (const [, id] of code.matchAll(/require\("([^"]+)"\)/g)) {
        if (id!.startsWith('.')) follow(resolve(file, '..', id!))
        else needed.add(id!)
      }
    }
    follow(resolve(root, 'out/main/index.js'))
    follow(resolve(root, 'out/preload/index.cjs'))
    const packageOf = (id: string) =>
      id
        .split('/')
        .slice(0, id.startsWith('@') ? 2 : 1)
        .join('/')
    const missing = [...needed].filter(
      (id) =>
        id !== 'electron' &&
        !id.startsWith('node:') &&
        !builtinModules.includes(id) &&
        !production.has(packageOf(id)),
    )
    expect(missing).toEqual([])
    expect([...needed].map(packageOf)).toContain('sqlite3')
  })
})
