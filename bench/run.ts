// `npm run bench` runs every benchmark; `npm run bench -- push lookup` runs the ones named.
// Options: --smoke (tiny sizes, seconds: what `npm test` runs so the benchmarks cannot rot),
// --sizes 1000,10000 (instead of the three standard sizes). PostgreSQL joins the central benchmarks when
// TEST_POSTGRES_URL is set. Prints markdown tables (docs/benchmarks.md keeps them).
import { parseArgs } from 'node:util'
import { BENCHMARKS } from './index'
import { machine, printTable } from './lib/report'

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { smoke: { type: 'boolean', default: false }, sizes: { type: 'string' } },
  })
  const unknown = positionals.filter((n) => !BENCHMARKS[n])
  if (unknown.length)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`)
  const names = positionals.length ? positionals : Object.keys(BENCHMARKS)
  const sizes = values.sizes?.split(',').map(Number)
  if (sizes?.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error('--sizes takes whole numbers: 1000,10000')
  const postgresUrl = process.env['TEST_POSTGRES_URL']
  console.log(`# Token Desk benchmarks — ${new Date().toISOString()}`)
  console.log(`Machine: ${machine()}. Command: npm run bench -- ${process.argv.slice(2).join(' ')}`)
  if (!postgresUrl) console.log('PostgreSQL: skipped (set TEST_POSTGRES_URL to include it).')
  console.log('')
  for (const name of names) {
    const start = performance.now()
    const tables = await BENCHMARKS[name]!({ smoke: values.smoke, postgresUrl, sizes })
    for (const table of tables) console.log(printTable(table))
    console.log(`(${name}: ${((performance.now() - start) / 1000).toFixed(0)} s)\n`)
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`bench failed: ${e.stack ?? e.message}`)
    process.exit(1)
  },
)
