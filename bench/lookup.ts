// Lookup at bank scale, start and memory: seeds a demo branch of each size (in a process of its own,
// peak RSS measured), opens it as the app does (quick check, then the full check in the background),
// and times each kind of counter search through the service against the same SQL through the raw
// driver with prepared statements. Targets: p95 ≤ 1.5× the raw driver and ≤ 1 ms at 1,000,000 customers;
// open ≤ 1 s; RSS ≤ 200 MB during the lookups and ≤ 600 MB while seeding.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTs } from './lib/child'
import type { LookupResult } from './lib/lookupWorker'
import { count, mb, ms, percentile, ratio, s, type BenchOptions, type Table } from './lib/report'

export async function lookup(options: BenchOptions): Promise<Table[]> {
  const sizes = options.sizes ?? (options.smoke ? [300, 600, 1_000] : [10_000, 100_000, 1_000_000])
  const rounds = options.smoke ? 20 : 500
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-lookup-'))
  const startRows: (string | number)[][] = []
  const p95Rows: (string | number)[][] = []
  const p99Rows: (string | number)[][] = []
  let kinds: string[] = []
  try {
    for (const size of sizes) {
      const file = join(dir, `branch-${size}.sqlite`)
      const seeded = await runTs<{ ms: number; peakRss: number }>(join(__dirname, 'lib/seedBranch.ts'), [
        String(size),
        file,
      ])
      const r = await runTs<LookupResult>(join(__dirname, 'lib/lookupWorker.ts'), [file, String(rounds)])
      kinds = r.kinds.map((k) => k.kind)
      startRows.push([
        count(size),
        s(seeded.ms),
        mb(seeded.peakRss),
        ms(r.openMs),
        s(r.fullCheckMs),
        mb(r.rss),
      ])
      const cells = (p: number) =>
        r.kinds.map((k) => {
          const service = percentile(k.service, p)
          return `${ms(service, 3)} (${ratio(service / percentile(k.raw, p))})`
        })
      p95Rows.push([count(size), ...cells(95)])
      p99Rows.push([count(size), ...cells(99)])
      for (const suffix of ['', '-wal', '-shm', '.key']) rmSync(file + suffix, { force: true })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const note = (p: number) =>
    `Service p${p} (first page of 20 and the capped count), in brackets its ratio to the same SQL through the raw driver's prepared statements, interleaved in the same process; ${rounds} searches each.`
  return [
    {
      title: 'Seeding, start and memory of a branch database',
      columns: [
        'customers',
        'seed',
        'seed peak RSS',
        'open (quick check, migrations)',
        'full integrity check done (background)',
        'RSS during lookups',
      ],
      rows: startRows,
      note: 'Targets at 1,000,000: open ≤ 1 s; seeding ≤ 600 MB RSS; lookups ≤ 200 MB RSS. The file was just written, so the OS cache is warm.',
    },
    {
      title: 'Lookup p95 (service vs raw driver)',
      columns: ['customers', ...kinds],
      rows: p95Rows,
      note: note(95),
    },
    {
      title: 'Lookup p99 (service vs raw driver)',
      columns: ['customers', ...kinds],
      rows: p99Rows,
      note: note(99),
    },
  ]
}
