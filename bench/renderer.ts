// The renderer: what the first screen downloads (the built bundle, minified; initial JavaScript = the
// entry and what it imports statically), then in Debian's Chromium through browser mode on a branch of
// each size: the login screen painted after navigation, and a kana search painted after Enter.
// Targets: initial JS ≤ 300 KB gzip; login ≤ 500 ms; kana search ≤ 100 ms at 1,000,000 customers.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium } from '@playwright/test'
import sqlite3 from 'sqlite3'
import { runTs } from './lib/child'
import { count, ms, percentile, type BenchOptions, type Table } from './lib/report'

const OUT = resolve(__dirname, '../out/renderer')
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`

/** Initial JavaScript: the entry script of index.html and every chunk it imports statically. */
export function bundleSizes(): {
  initialRaw: number
  initialGzip: number
  totalGzip: number
  cssGzip: number
} {
  const assets = join(OUT, 'assets')
  const html = readFileSync(join(OUT, 'index.html'), 'utf8')
  const entry = /src="\.\/assets\/([^"]+\.js)"/.exec(html)![1]!
  const seen = new Set<string>()
  const todo = [entry]
  while (todo.length) {
    const file = todo.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    const code = readFileSync(join(assets, file), 'utf8')
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+\.js)["']/g))
      todo.push(m[1]!)
  }
  const gz = (f: string) => gzipSync(readFileSync(join(assets, f))).length
  const files = readdirSync(assets)
  let initialRaw = 0
  let initialGzip = 0
  for (const f of seen) {
    initialRaw += readFileSync(join(assets, f)).length
    initialGzip += gz(f)
  }
  const cssLink = /href="\.\/assets\/([^"]+\.css)"/.exec(html)?.[1]
  return {
    initialRaw,
    initialGzip,
    totalGzip: files.filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gz(f), 0),
    cssGzip: cssLink ? gz(cssLink) : 0,
  }
}

async function startBrowserMode(dbFile: string): Promise<{ url: string; stop(): Promise<void> }> {
  const args = [
    resolve(__dirname, '../out/main/bridge-cli.js'),
    '--db',
    dbFile,
    '--key-file',
    `${dbFile}.key`,
  ]
  const child = spawn(process.execPath, [...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Open: (\S+)/.exec(output)
      if (match) resolveUrl(match[1]!)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`browser mode exited with ${code}:\n${output}`)))
  })
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function kanaPrefixes(dbFile: string, n: number): Promise<string[]> {
  const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY)
  const rows = await new Promise<{ p: string }[]>((res, rej) =>
    db.all(
      'SELECT DISTINCT substr(name_kana_key, 1, 3) AS p FROM customers WHERE rowid % 13 = 0 LIMIT ?',
      [n],
      (e, r) => (e ? rej(e) : res(r as { p: string }[])),
    ),
  )
  await new Promise((r) => db.close(r))
  return rows.map((r) => r.p)
}

export async function renderer(options: BenchOptions): Promise<Table[]> {
  // Always a fresh build: a stale one would measure (and start) yesterday's app.
  execFileSync('npx', ['electron-vite', 'build'], { cwd: resolve(__dirname, '..'), stdio: 'ignore' })
  const size = bundleSizes()
  const sizes = options.sizes ?? (options.smoke ? [300] : [10_000, 100_000, 1_000_000])
  const searches = options.smoke ? 3 : 30
  const rows: (string | number)[][] = []
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-renderer-'))
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  })
  try {
    for (const customers of sizes) {
      const dbFile = join(dir, `branch-${customers}.sqlite`)
      await runTs(join(__dirname, 'lib/seedBranch.ts'), [String(customers), dbFile])
      const desk = await startBrowserMode(dbFile)
      try {
        const page = await browser.newPage({ locale: 'ja-JP' })
        await page.addInitScript({ path: join(__dirname, 'lib/paintProbe.js') })
        const logins: number[] = []
        for (let i = 0; i < (options.smoke ? 1 : 5); i++) {
          await page.goto(desk.url)
          await page.waitForFunction(() => (globalThis as unknown as { loginPainted?: number }).loginPainted)
          logins.push(
            await page.evaluate(() => (globalThis as unknown as { loginPainted: number }).loginPainted),
          )
        }
        await page.getByTestId('login-staff-id').fill('T001')
        await page.getByTestId('login-password').fill('demo-T001')
        await page.getByTestId('login-password').press('Enter')
        await page.getByTestId('current-staff').waitFor()
        await page.keyboard.press('F2')
        const box = page.getByTestId('search-query')
        const prefixes = await kanaPrefixes(dbFile, searches + 5)
        let done = 0
        for (const prefix of prefixes.slice(0, searches)) {
          await box.fill(prefix)
          await box.press('Enter')
          done++
          await page.waitForFunction(
            (n) => (globalThis as unknown as { searchPaints: number[] }).searchPaints.length >= n,
            done,
          )
        }
        const paints = await page.evaluate(
          () => (globalThis as unknown as { searchPaints: number[] }).searchPaints,
        )
        rows.push([
          count(customers),
          ms(percentile(logins, 50)),
          ms(Math.max(...logins)),
          ms(percentile(paints, 50)),
          ms(percentile(paints, 95)),
        ])
        await page.close()
      } finally {
        await desk.stop()
      }
    }
  } finally {
    await browser.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return [
    {
      title: 'Renderer bundle (built, minified)',
      columns: ['part', 'size'],
      rows: [
        ['initial JavaScript (entry + static imports), raw', kb(size.initialRaw)],
        ['initial JavaScript, gzip', kb(size.initialGzip)],
        ['all JavaScript chunks, gzip', kb(size.totalGzip)],
        ['initial CSS (Element Plus parts, web font faces), gzip', kb(size.cssGzip)],
      ],
      note: 'Target: initial JavaScript ≤ 300 KB gzip. Before: one unminified 3.3 MB chunk, 616 KB gzip.',
    },
    {
      title: 'Renderer paint in Chromium (browser mode on 127.0.0.1)',
      columns: [
        'customers',
        'login painted, median',
        'login painted, worst',
        'kana search painted, median',
        'kana search painted, p95',
      ],
      rows,
      note: `Login: from navigation start to the frame after the form appears (${options.smoke ? 1 : 5} loads). Kana search: from Enter to the frame after the new rows appear (${searches} different 3-kana prefixes).`,
    },
  ]
}
