import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportProgress } from '../../src/central/customerImport'
import { cliImportProgress } from '../../src/central/importProgress'
import { ImportJobs, type ImportJobView } from '../../src/central/importJobs'
import { CENTRAL_ENGINES, startCentral, type TestCentral } from '../support/central'
import { ConsoleClient } from '../support/consoleClient'
import { startConsoleCentral, testClock, type ConsoleCentral } from '../support/consoleCentral'

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

/**
 * On PostgreSQL (the bank's central) the polls are answered while the import's transaction writes. A
 * SQLite central has one connection, which the import holds: its polls wait for the commit, so there
 * only the end is checked.
 */
describe.each(CENTRAL_ENGINES)(
  'the HQ console import in the background (real central on 127.0.0.1, %s)',
  (engine) => {
    let central: ConsoleCentral
    let operator: ConsoleClient
    let operator2: ConsoleClient
    beforeAll(async () => {
      central = await startConsoleCentral({ engine, clock: testClock(new Date()) })
      operator = await new ConsoleClient(central.url).signIn('HQ001', central.clock.now)
      operator2 = await new ConsoleClient(central.url).signIn('HQ002', central.clock.now)
    })
    afterAll(() => central.close())

    async function pollUntilDone(client: ConsoleClient, jobId: string) {
      const views: ImportJobView[] = []
      for (;;) {
        const answer = await client.get<ImportJobView>(`/customers/import-jobs/${jobId}`)
        if (answer.status !== 200) return { views, refusal: answer }
        views.push(answer.body as ImportJobView)
        if (views.at(-1)!.state === 'done') return { views, refusal: null }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }

    it('starts at once, is polled while it runs (in order), and ends with the result at the total', async () => {
      const started = await operator.post<{ jobId: string }>('/customers/import-jobs', {
        csv: customerCsv(ROWS, 7_200_000),
      })
      expect(started.status).toBe(200)
      const { jobId } = started.body as { jobId: string }
      // Another HQ person cannot read it.
      expect((await operator2.get(`/customers/import-jobs/${jobId}`)).status).toBe(404)
      const { views, refusal } = await pollUntilDone(operator, jobId)
      expect(refusal).toBeNull()
      if (engine === 'postgres') {
        expect(views.length).toBeGreaterThan(1)
        expect(views.some((v) => v.phase === 'writing' && v.done > 0 && v.done < ROWS)).toBe(true)
      }
      const order = ['checking', 'writing', 'done']
      for (let i = 1; i < views.length; i++) {
        expect(order.indexOf(views[i]!.phase)).toBeGreaterThanOrEqual(order.indexOf(views[i - 1]!.phase))
        if (views[i]!.phase === views[i - 1]!.phase)
          expect(views[i]!.done).toBeGreaterThanOrEqual(views[i - 1]!.done)
      }
      expect(views.at(-1)).toEqual({
        jobId,
        state: 'done',
        phase: 'done',
        done: ROWS,
        total: ROWS,
        result: { imported: ROWS, updated: 0 },
      })
      const written = await central
        .db('customers')
        .whereBetween('cif', ['7200000', '7202999'])
        .count({ n: '*' })
      expect(Number(written[0]!.n)).toBe(ROWS)
    })

    it("a refused file answers the poll with the import's own error and its problems by line; nothing is written", async () => {
      const bad = customerCsv(300, 7_300_000).replace('7300100,001', '7300100,999')
      const { jobId } = (await operator.post<{ jobId: string }>('/customers/import-jobs', { csv: bad }))
        .body as {
        jobId: string
      }
      const { refusal } = await pollUntilDone(operator, jobId)
      expect(refusal?.status).toBe(422)
      expect(refusal?.body).toMatchObject({
        error: {
          code: 'CSV_INVALID',
          details: { problemCount: 1, problems: [{ line: 102, code: 'UNKNOWN_BRANCH' }] },
        },
      })
      expect(
        await central.db('customers').where('cif', '>=', '7300000').where('cif', '<', '7400000').first(),
      ).toBeUndefined()
      // Told once, then forgotten.
      expect((await operator.get(`/customers/import-jobs/${jobId}`)).status).toBe(404)
    })
  },
)

describe('import jobs', () => {
  it('one running import per person; a finished one is kept ten minutes for its last poll', async () => {
    let clock = 0
    const jobs = new ImportJobs(() => clock)
    let finish!: (value: { imported: number; updated: number }) => void
    const { jobId } = jobs.start('HQ001', (onProgress) => {
      onProgress({ phase: 'writing', done: 40, total: 100 })
      return new Promise((resolve) => (finish = resolve))
    })
    expect(jobs.view('HQ001', jobId)).toMatchObject({
      state: 'running',
      phase: 'writing',
      done: 40,
      total: 100,
    })
    expect(() => jobs.start('HQ001', () => new Promise(() => {}))).toThrow(
      expect.objectContaining({ code: 'IMPORT_RUNNING' }),
    )
    expect(() => jobs.view('HQ002', jobId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
    finish({ imported: 100, updated: 0 })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(jobs.view('HQ001', jobId)).toMatchObject({
      state: 'done',
      phase: 'done',
      done: 100,
      result: { imported: 100 },
    })
    clock += 10 * 60 * 1000 + 1
    expect(() => jobs.view('HQ001', jobId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
  })
})
