// Pull: a new branch PC bootstraps from central (every customer, token, request, staff and stock row of
// its branch, in pages of the protocol's 5,000 entries, each page a step of the progress bar), then an
// incremental pull after HQ changed 1,000 customers. Over HTTP on 127.0.0.1, as the branch client pulls.
// Targets: bootstrap of 100,000 customers ≤ 10 s; 1,000 changes ≤ 300 ms.
import { importCustomers } from '../src/central/customerImport'
import { benchCentral, engines, Workstation } from './lib/central'
import { count, ms, s, type BenchOptions, type Table } from './lib/report'

/** 1,000 customers changed at HQ (a CSV import of new phone numbers): what an ordinary day sends. */
async function changeCustomers(db: import('knex').Knex, cifs: string[]): Promise<void> {
  const rows = await db('customers').whereIn('cif', cifs)
  const csv = [
    'cif,branch,name_kanji,name_kana,birth_date,phone,accounts,otp_status',
    ...rows.map((r) =>
      [
        r.cif,
        r.branch_code,
        r.name_kanji,
        r.name_kana,
        r.birth_date,
        '090-0000-0000',
        (JSON.parse(r.accounts_json) as { branchCode: string; subject: string; number: string }[])
          .map((a) => `${a.branchCode}-${a.subject}-${a.number}`)
          .join(';'),
        r.otp_status,
      ].join(','),
    ),
  ].join('\n')
  await importCustomers(db, csv, new Date())
}

export async function pull(options: BenchOptions): Promise<Table[]> {
  const sizes = options.sizes ?? (options.smoke ? [200, 500, 1_000] : [10_000, 50_000, 100_000])
  const changes = options.smoke ? 50 : 1_000
  const rows: (string | number)[][] = []
  for (const engine of engines(options.postgresUrl)) {
    for (const size of sizes) {
      const bench = await benchCentral(engine, size, options.postgresUrl)
      try {
        const pc = await Workstation.enroll(bench.central, `bench-pull-${size}`)
        let pulls = 0
        let entries = 0
        const start = performance.now()
        for (let more = true; more; pulls++) {
          const page = await pc.pull()
          entries += page.entries
          more = page.more
        }
        const bootstrap = performance.now() - start
        const cifs = Array.from({ length: changes }, (_, i) =>
          String(3_000_001 + Math.floor((i * size) / changes)),
        )
        await changeCustomers(bench.central.db, cifs)
        const t0 = performance.now()
        let changed = 0
        for (let more = true; more;) {
          const page = await pc.pull()
          changed += page.entries
          more = page.more
        }
        const incremental = performance.now() - t0
        if (changed < changes) throw new Error(`incremental pull brought ${changed} of ${changes} changes`)
        rows.push([
          engine === 'sqlite' ? 'SQLite' : 'PostgreSQL',
          count(size),
          s(bootstrap),
          count(pulls),
          count(Math.round(entries / (bootstrap / 1000))),
          ms(incremental),
        ])
      } finally {
        await bench.close()
      }
    }
  }
  return [
    {
      title: `Pull: bootstrap of a new branch PC, then ${count(changes)} changes from HQ`,
      columns: [
        'engine',
        'branch customers',
        'bootstrap',
        'pulls (progress steps)',
        'entries a second',
        `incremental (${count(changes)} changes)`,
      ],
      rows,
      note: 'Each bootstrap pull is one step of the progress shown to the teller. Targets: 100,000 customers ≤ 10 s; 1,000 changes ≤ 300 ms.',
    },
  ]
}
