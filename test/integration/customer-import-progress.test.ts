import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportProgress } from '../../src/central/customerImport'
import { cliImportProgress } from '../../src/central/importProgress'
import { startCentral, type TestCentral } from '../support/central'

/**
 * Progress of a large customer import at central: the listener (rows done / total per phase), the
 * CLI's line on stderr, on a real central database with a file of a few thousand rows.
 */
const ROWS = 3_000
let dir: string

/** A customer file as HQ exports it: `count` customers of branch 001 from CIF `first` on. */
function customerCsv(count: number, first = 7_000_000): string {
  const lines = ['cif,branch,name_kanji,name_kana,birth_date,phone,accounts']
  for (let i = 0; i < count; i++) {
    const cif = String(first + i)
    lines.push(
      `${cif},001,輸入 太郎${i},ユニュウ タロウ,1980-01-${String((i % 28) + 1).padStart(2, '0')},090-0000-${String(i % 10_000).padStart(4, '0')},001-futsu-${cif}`,
    )
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

/** Within each phase `done` never goes back; the phases come in order; the last report is the total. */
function expectOrderly(reports: ImportProgress[], total: number): void {
  const order = ['checking', 'writing', 'done']
  for (let i = 1; i < reports.length; i++) {
    const [a, b] = [reports[i - 1]!, reports[i]!]
    expect(order.indexOf(b.phase)).toBeGreaterThanOrEqual(order.indexOf(a.phase))
    if (a.phase === b.phase) expect(b.done).toBeGreaterThanOrEqual(a.done)
  }
  for (const r of reports) {
    expect(r.total).toBe(total)
    expect(r.done).toBeLessThanOrEqual(total)
  }
  expect(reports.map((r) => r.phase)).toContain('checking')
  expect(reports.map((r) => r.phase)).toContain('writing')
  expect(reports.at(-1)).toEqual({ phase: 'done', done: total, total })
  expect(reports.filter((r) => r.phase === 'writing').at(-1)).toEqual({
    phase: 'writing',
    done: total,
    total,
  })
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'token-desk-import-progress-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('customer import progress (in process, real central database)', () => {
  let central: TestCentral
  beforeAll(async () => {
    central = await startCentral('sqlite')
  })
  afterAll(() => central.close())

  it(`reports ${ROWS.toLocaleString()} rows in order, ending at the total once committed`, async () => {
    const reports: ImportProgress[] = []
    let countAtDone = -1
    const before = Number((await central.db('customers').count({ n: '*' }).first())!.n)
    const result = await central.hq.importCustomers(customerCsv(ROWS), (p) => {
      reports.push({ ...p })
      if (p.phase === 'done') countAtDone = reports.length
    })
    expect(result).toEqual({ imported: ROWS, updated: 0 })
    expectOrderly(reports, ROWS)
    // Often enough to draw a bar (every 100 rows), not once per row.
    const writing = reports.filter((r) => r.phase === 'writing')
    expect(writing.length).toBeGreaterThanOrEqual(ROWS / 100)
    expect(writing.length).toBeLessThan(ROWS / 10)
    expect(countAtDone).toBe(reports.length)
    expect(Number((await central.db('customers').count({ n: '*' }).first())!.n)).toBe(before + ROWS)

    // Importing the same file again updates every row, with the same progress.
    const again: ImportProgress[] = []
    expect(await central.hq.importCustomers(customerCsv(ROWS), (p) => again.push({ ...p }))).toEqual({
      imported: 0,
      updated: ROWS,
    })
    expectOrderly(again, ROWS)
  })

  it('a refused file reports checking only, never done', async () => {
    const reports: ImportProgress[] = []
    const bad = customerCsv(500).replace('7000250,001', '7000250,999')
    await expect(central.hq.importCustomers(bad, (p) => reports.push({ ...p }))).rejects.toThrow(
      /nothing imported/,
    )
    expect(new Set(reports.map((r) => r.phase))).toEqual(new Set(['checking']))
  })
})

describe('the CLI progress line', () => {
  it('in a log (not a terminal): a line every 10% per phase on stderr, the result on stdout', () => {
    const db = join(dir, 'central.sqlite')
    const file = join(dir, 'customers.csv')
    writeFileSync(file, customerCsv(ROWS, 7_100_000))
    const cli = (args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/central/cli.ts', ...args, '--db', db, '--key-file', `${db}.key`],
        { encoding: 'utf8' },
      )
    expect(cli(['branch', 'add', '--code', '001', '--name', '本店営業部']).status).toBe(0)
    const run = cli(['customers', 'import', '--file', file])
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout.trim()).toBe(`${ROWS} customers imported, 0 updated`)
    const lines = run.stderr.trim().split('\n')
    for (const line of lines)
      expect(line).toMatch(/^\[[#-]{30}\] +\d+% [\d,]+ \/ 3,000 rows (checked|written|imported)$/)
    const percents = (word: string) =>
      lines.filter((l) => l.endsWith(`rows ${word}`)).map((l) => Number(/(\d+)%/.exec(l)![1]))
    for (const word of ['checked', 'written']) {
      const seen = percents(word)
      expect(seen[0]).toBe(0)
      expect(seen.at(-1)).toBe(100)
      expect([...seen].sort((a, b) => a - b)).toEqual(seen)
      // One line per 10% step at most: 0, 10, …, 100.
      expect(seen.length).toBeLessThanOrEqual(11)
      expect(seen.length).toBeGreaterThanOrEqual(6)
    }
    expect(lines.at(-1)).toBe(`[${'#'.repeat(30)}] 100% 3,000 / 3,000 rows imported`)
  })

  it('on a terminal: one line redrawn in place, a new line per phase, throttled', () => {
    let written = ''
    let clock = 0
    const progress = cliImportProgress(
      { isTTY: true, write: (text: string) => (written += text) },
      { intervalMs: 100, now: () => clock },
    )
    for (let done = 0; done <= 1000; done += 10) {
      progress.listener({ phase: 'writing', done, total: 1000 })
      clock += 5
    }
    progress.listener({ phase: 'done', done: 1000, total: 1000 })
    progress.finish()
    const draws = written.split('\r').filter(Boolean)
    // 101 reports over 505 ms: the first, one per 100 ms, and the last (100%) are drawn.
    expect(draws.length).toBeGreaterThanOrEqual(5)
    expect(draws.length).toBeLessThanOrEqual(9)
    expect(written.split('\n')).toHaveLength(3)
    expect(written).toContain('100% 1,000 / 1,000 rows written\x1b[K\n')
    expect(written.endsWith('100% 1,000 / 1,000 rows imported\x1b[K\n')).toBe(true)
  })
})
