// `npm test`: prepares the machine, builds, then runs every test: vitest (unit + integration) and
// Playwright (end-to-end in Chromium against browser mode). Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { ensureChromium, ensureCjkFont, ensurePoppler, ensurePostgres } from './prerequisites.mjs'

const bin = (name) => `node_modules/.bin/${name}`

function run(label, command, args, env = {}) {
  console.log(`\n[test] ${label}: ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status ?? 1
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

const chromium = ensureChromium()
ensureCjkFont()
ensurePoppler()
const postgres = ensurePostgres()
if (postgres) console.log('[test] central tests run on SQLite and PostgreSQL')
mkdirSync('.tmp', { recursive: true })
rmSync('.tmp/vitest.json', { force: true })
rmSync('.tmp/playwright.json', { force: true })

if (run('build', bin('electron-vite'), ['build']) !== 0) process.exit(1)
if (run('build the HQ console', bin('vite'), ['build', '-c', 'vite.console.config.ts']) !== 0) process.exit(1)
const vitest = run(
  'unit and integration',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/vitest.json'],
  postgres ? { TEST_POSTGRES_URL: postgres } : {},
)
const playwright = run('end-to-end', bin('playwright'), ['test', '--reporter=list,json'], {
  CHROMIUM_PATH: chromium,
  PLAYWRIGHT_JSON_OUTPUT_NAME: '.tmp/playwright.json',
})

const v = readJson('.tmp/vitest.json')
const p = readJson('.tmp/playwright.json')
// Issue 10: every log line vitest's workers wrote, scanned for the suite's secrets (test/support/secretScanGlobal.ts).
const secretScan = readJson('.tmp/log-capture/summary.json')
const leaks = secretScan ? secretScan.findings.length : 1
console.log(
  secretScan
    ? `\n[test] secret scan: ${secretScan.lines} log lines, ${secretScan.secrets} secrets, ${leaks} found`
    : '\n[test] secret scan: no summary (the scan did not run)',
)
const passed = (v?.numPassedTests ?? 0) + (p?.stats?.expected ?? 0)
const failed =
  (v?.numFailedTests ?? 0) + (p?.stats?.unexpected ?? 0) + (p?.stats?.flaky ?? 0) + (v && p ? 0 : 1) + leaks
const skipped = (v?.numPendingTests ?? 0) + (v?.numTodoTests ?? 0) + (p?.stats?.skipped ?? 0)
console.log(
  `\n[test] vitest ${v?.numPassedTests ?? '?'} passed; playwright ${p?.stats?.expected ?? '?'} passed`,
)
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(vitest === 0 && playwright === 0 && failed === 0 ? 0 : 1)
