// Renders resources/icon.svg to the icons electron-builder packs: icon.png (512 px, Linux AppImage)
// and icon.ico (256/128/64/48/32/16 px, Windows app and NSIS installer). Uses the system Chromium
// through Playwright, like the tests; run it after changing the SVG: `node scripts/make-icons.mjs`.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium } from '@playwright/test'

const root = resolve(import.meta.dirname, '..')
const svg = readFileSync(resolve(root, 'resources/icon.svg'), 'utf8')
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox'],
})
const page = await browser.newPage({ deviceScaleFactor: 1 })

async function render(size) {
  await page.setViewportSize({ width: size, height: size })
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg style="width:${size}px;height:${size}px;display:block" `)}</body></html>`,
  )
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } })
}

/** An ICO file whose images are PNGs (Windows Vista and later read them). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length)
  header.writeUInt16LE(0, 0)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(images.length, 4)
  let offset = header.length
  images.forEach(({ size, png }, i) => {
    const at = 6 + 16 * i
    header.writeUInt8(size >= 256 ? 0 : size, at)
    header.writeUInt8(size >= 256 ? 0 : size, at + 1)
    header.writeUInt8(0, at + 2)
    header.writeUInt8(0, at + 3)
    header.writeUInt16LE(1, at + 4)
    header.writeUInt16LE(32, at + 6)
    header.writeUInt32LE(png.length, at + 8)
    header.writeUInt32LE(offset, at + 12)
    offset += png.length
  })
  return Buffer.concat([header, ...images.map((i) => i.png)])
}

writeFileSync(resolve(root, 'resources/icon.png'), await render(512))
const sizes = [256, 128, 64, 48, 32, 16]
const images = []
for (const size of sizes) images.push({ size, png: await render(size) })
writeFileSync(resolve(root, 'resources/icon.ico'), ico(images))
await browser.close()
console.log('resources/icon.png and resources/icon.ico written')
