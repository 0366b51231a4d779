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
