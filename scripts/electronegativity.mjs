// Electronegativity over the app's source (issue 10). The package's CLI reads its options through
// whichever `commander` npm hoists (it does not declare one, and knex's newer one breaks it), so this
// calls its runner directly. Every finding must be listed in docs/security.md's "Electronegativity"
// table (check ID and file) with a fix or an explanation; anything not listed fails the run.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

const require = createRequire(import.meta.url)
const i18n = require('@doyensec/electronegativity/dist/locales/i18n.js')
const run = require('@doyensec/electronegativity/dist/runner.js')

await (i18n.default ?? i18n)()
const input = resolve('src')
const result = await run(
  {
    input,
    output: undefined,
    isSarif: false,
    customScan: [],
    excludeFromScan: [],
    severitySet: undefined,
    confidenceSet: undefined,
    isRelative: true,
    isVerbose: false,
    electronUpgrade: undefined,
    // The installed Electron's version, so the tool does not try to look releases up online.
    electronVersionOverride: require('electron/package.json').version,
    parserPlugins: [],
  },
  false,
)

const doc = readFileSync('docs/security.md', 'utf8')
const explained = new Set(
  [...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*`([^`]+)`\s*\|/gm)].map(([, id, file]) => `${id} ${file}`),
)
const findings = result.issues.map((i) => ({
  key: `${i.id} ${i.file}`,
  where: `${i.file}:${i.location.line}:${i.location.column}`,
  id: i.id,
  severity: i.severity.name ?? i.severity,
  confidence: i.confidence.name ?? i.confidence,
  description: i.description,
}))
const unexplained = findings.filter((f) => !explained.has(f.key))
console.log(
  `[electronegativity] ${result.globalChecks + result.atomicChecks} checks over src: ${findings.length} findings, ${unexplained.length} not explained in docs/security.md`,
)
for (const f of findings)
  console.log(
    `  ${explained.has(f.key) ? 'explained  ' : 'UNEXPLAINED'} ${f.id} ${f.where} (${f.severity}, ${f.confidence})` +
      (process.env['VERBOSE'] ? `\n      ${f.description}` : ''),
  )
if (result.errors?.length) console.log(`  ${result.errors.length} files could not be parsed`)
process.exit(unexplained.length ? 1 : 0)
