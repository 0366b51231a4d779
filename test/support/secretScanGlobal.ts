// Vitest global setup: empties the log capture before the run; after the run, scans every captured
// line for the suite's secrets and fails the run if one is found.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { knownSecrets, secretsIn } from './knownSecrets'

const dir = join(process.cwd(), '.tmp/log-capture')

export function setup(): void {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
}

export function teardown(): void {
  if (!existsSync(dir)) return
  const secrets = knownSecrets()
  let lines = 0
  const findings: string[] = []
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      lines++
      for (const label of secretsIn(line, secrets)) findings.push(`${name}: ${label}`)
    }
  }
  writeFileSync(
    join(dir, 'summary.json'),
    JSON.stringify({ lines, secrets: secrets.length, findings }, null, 2),
  )
  console.log(
    `[secret-scan] ${lines} captured log lines scanned for ${secrets.length} secrets: ${findings.length} found`,
  )
  if (findings.length)
    throw new Error(`secrets in the test suite's logs:\n${findings.slice(0, 20).join('\n')}`)
}
