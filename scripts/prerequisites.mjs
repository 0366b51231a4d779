// What the tests need from the machine beyond npm: Debian's Chromium and a Japanese font.
// As root on Debian they are installed; elsewhere we say what is missing and how to get it.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const hasApt = existsSync('/usr/bin/apt-get')

function which(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  return found.status === 0 ? found.stdout.trim() : null
}

let aptUpdated = false
function aptInstall(packages) {
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
    aptUpdated = true
  }
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
}

/** The path of a Chromium to drive, installing Debian's package when we may. */
export function ensureChromium() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    which('chromium'),
    which('chromium-browser'),
  ]
  const found = candidates.find((p) => p && existsSync(p))
  if (found) return found
  if (isRoot && hasApt) {
    console.log('[test] Chromium is missing: installing Debian’s chromium package')
    aptInstall(['chromium', 'fonts-noto-cjk'])
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium'
  }
  throw new Error(
    'Chromium was not found. Install it (Debian/Ubuntu: `sudo apt-get install chromium fonts-noto-cjk`) ' +
      'or set CHROMIUM_PATH to a Chromium or Chrome binary. The tests never download a browser.',
  )
}

/** Japanese text in screenshots needs a CJK font on the machine (the app itself ships its own web font). */
export function ensureCjkFont() {
  const fonts = spawnSync('fc-list', [':lang=ja'], { encoding: 'utf8' })
  if (fonts.status === 0 && fonts.stdout.trim()) return
  if (isRoot && hasApt) {
    console.log('[test] No Japanese font: installing fonts-noto-cjk')
    aptInstall(['fonts-noto-cjk'])
    return
  }
  console.warn(
    '[test] No Japanese system font (e.g. fonts-noto-cjk): screenshots may show boxes for Japanese.',
  )
}

/**
 * The central service's tests run on PostgreSQL too. Uses TEST_POSTGRES_URL when set; as root with
 * Debian's PostgreSQL installed, starts the cluster and creates a test role; otherwise says so and
 * the central tests run on SQLite only.
 */
export function ensurePostgres() {
  if (process.env.TEST_POSTGRES_URL) return process.env.TEST_POSTGRES_URL
  const clusters = spawnSync('sh', ['-c', 'ls /etc/postgresql 2>/dev/null'], { encoding: 'utf8' })
    .stdout.trim()
    .split(/\s+/)
    .filter(Boolean)
  if (!isRoot || !clusters.length || !which('pg_ctlcluster')) {
    console.warn(
      '[test] PostgreSQL is not available here: central tests run on SQLite only. ' +
        'Set TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST:PORT/postgres (a role that may create databases) to include it.',
    )
    return null
  }
  const version = clusters.sort().at(-1)
  spawnSync('pg_ctlcluster', [version, 'main', 'start'], { stdio: 'ignore' })
  const psql = (sql) => spawnSync('su', ['postgres', '-c', `psql -tAc "${sql}"`], { encoding: 'utf8' })
  let ready = false
  for (let i = 0; i < 30 && !ready; i++) {
    ready = psql('select 1').stdout.trim() === '1'
    if (!ready) spawnSync('sleep', ['1'])
  }
  if (!ready) {
    console.warn('[test] PostgreSQL did not start: central tests run on SQLite only.')
    return null
  }
  if (psql("select 1 from pg_roles where rolname = 'tokendesk_test'").stdout.trim() !== '1') {
    psql("create role tokendesk_test login password 'tokendesk_test' createdb")
  }
  // A test's DROP DATABASE … WITH (FORCE) may have to end an autovacuum worker still in its database.
  psql('grant pg_signal_backend to tokendesk_test')
  return 'postgres://tokendesk_test:tokendesk_test@127.0.0.1:5432/postgres'
}

/** The printing test reads its PDFs back with poppler (pdftotext, pdftoppm, pdfinfo, pdffonts). */
export function ensurePoppler() {
  if (which('pdftoppm') && which('pdftotext') && which('pdffonts')) return
  if (isRoot && hasApt) {
    console.log('[test] poppler-utils is missing: installing it for the PDF checks')
    aptInstall(['poppler-utils'])
    return
  }
  throw new Error(
    'poppler-utils was not found (pdftotext, pdftoppm). Install it (Debian/Ubuntu: `sudo apt-get install poppler-utils`).',
  )
}
