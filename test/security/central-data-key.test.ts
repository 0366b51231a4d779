import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadCentralDataKey, MissingDataKeyError } from '../../src/central/dataKey'

describe('central’s data key', () => {
  it('is refused when not named at start, and never looked for beside the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-key-'))
    const dbFile = join(dir, 'central.sqlite')
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/central/cli.ts', 'demo', '--db', dbFile],
      {
        encoding: 'utf8',
        env: { ...process.env, CENTRAL_KEY_FILE: '', CENTRAL_DATA_KEY: '' },
      },
    )
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain('--key-file')
    expect(existsSync(`${dbFile}.key`)).toBe(false)
    expect(() => loadCentralDataKey(undefined, {})).toThrow(MissingDataKeyError)
  })

  it('comes from --key-file, then CENTRAL_KEY_FILE, then CENTRAL_DATA_KEY', () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-desk-key-'))
    const lines: string[] = []
    const file = join(dir, 'named.key')
    const created = loadCentralDataKey(file, {}, (l) => lines.push(l))
    expect(created).toHaveLength(32)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(lines[0]).toContain('a new data key was written')
    expect(loadCentralDataKey(undefined, { CENTRAL_KEY_FILE: file })).toEqual(created)
    expect(Buffer.from(readFileSync(file, 'utf8'), 'base64')).toEqual(created)
    const inline = randomBytes(32)
    expect(loadCentralDataKey(undefined, { CENTRAL_DATA_KEY: inline.toString('base64') })).toEqual(inline)
    expect(() => loadCentralDataKey(undefined, { CENTRAL_DATA_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/)
  })
})
