// Push after an outage: a branch drains its queue of revocation requests to central, 500 a push (the
// protocol's maximum), over HTTP on 127.0.0.1. The peer, in the same run: PouchDB replicating as many
// comparable documents to express-pouchdb. Targets: 10,000 in ≤ 2 s (SQLite) / ≤ 4 s (PostgreSQL),
// at least 2× faster than the peer, and linear (50,000 ≤ 5× the 10,000 time).
import { benchCentral, engines, Workstation, type Engine } from './lib/central'
import { pouchReplicate, stopPouchPeer } from './lib/pouchPeer'
import { count, ratio, s, type BenchOptions, type Table } from './lib/report'

export async function push(options: BenchOptions): Promise<Table[]> {
  const sizes = options.sizes ?? (options.smoke ? [10, 20, 40] : [1_000, 10_000, 50_000])
  const needed = sizes.reduce((a, b) => a + b, 0)
  const times = new Map<string, number>()
  const tenths = new Map<string, number[]>()
  // Both centrals are up at once so each size runs Token Desk, the peer, Token Desk again (SQLite,
  // PouchDB, PostgreSQL) back to back: the machine's load, which changes minute by minute on a shared
  // machine, then weighs on both sides of every ratio alike.
  const centrals = new Map<Engine, Awaited<ReturnType<typeof benchCentral>>>()
  const offsets = new Map<Engine, number>()
  try {
    for (const engine of engines(options.postgresUrl)) {
      // About a third of demo customers use their OTP: enough for every queue, at a bank-like size.
      centrals.set(
        engine,
        await benchCentral(engine, options.smoke ? 500 : Math.max(200_000, needed * 4), options.postgresUrl),
      )
      offsets.set(engine, 0)
    }
    const drain = async (engine: Engine, size: number) => {
      const bench = centrals.get(engine)!
      const pc = await Workstation.enroll(bench.central, `bench-${engine}-${size}`)
      const offset = offsets.get(engine)!
      const queue = pc.revocationRequests(bench.inUse.slice(offset, offset + size))
      offsets.set(engine, offset + size)
      const start = performance.now()
      const result = await pc.drain(queue)
      times.set(`${engine}:${size}`, performance.now() - start)
      tenths.set(engine, result.tenths)
      if (result.applied !== size) throw new Error(`${engine}: ${result.rejected} of ${size} refused`)
    }
    for (const size of sizes) {
      const [first, ...others] = engines(options.postgresUrl)
      await drain(first!, size)
      times.set(`pouch:${size}`, await pouchReplicate(size))
      for (const engine of others) await drain(engine, size)
    }
  } finally {
    for (const bench of centrals.values()) await bench.close()
    await stopPouchPeer()
  }

  const cell = (engine: Engine | 'pouch', size: number) => times.get(`${engine}:${size}`)
  const rows = sizes.map((size) => {
    const pouch = cell('pouch', size)!
    const row: (string | number)[] = [count(size)]
    for (const engine of engines(options.postgresUrl)) {
      const t = cell(engine, size)!
      row.push(`${s(t)} (${((t / size) * 1000).toFixed(0)} µs each)`, ratio(pouch / t))
    }
    row.push(s(pouch))
    return row
  })
  // Growth needs two sizes; `--sizes 10000` alone prints the one row.
  const last = sizes[sizes.length - 1]!
  const growth: (string | number)[][] = []
  if (sizes.length >= 2) {
    const mid = sizes[sizes.length - 2]!
    const row: (string | number)[] = [`growth ${count(mid)} → ${count(last)}`]
    for (const engine of engines(options.postgresUrl))
      row.push(ratio(cell(engine, last)! / cell(engine, mid)!), '')
    row.push(ratio(cell('pouch', last)! / cell('pouch', mid)!))
    growth.push(row)
  }
  return [
    {
      title: 'Push after an outage (queue drained to central, 500 per push)',
      columns: [
        'queued mutations',
        ...engines(options.postgresUrl).flatMap((e) => [
          e === 'sqlite' ? 'SQLite' : 'PostgreSQL',
          'faster than peer',
        ]),
        'PouchDB → express-pouchdb',
      ],
      rows: [...rows, ...growth],
      note: [
        'faster than peer = PouchDB time ÷ Token Desk time in the same run, each size run SQLite, PouchDB, PostgreSQL back to back (target ≥ 2×); growth: target ≤ 5× for 5× the queue.',
        ...engines(options.postgresUrl).map(
          (e) =>
            `Each tenth of the ${count(last)} drain on ${e === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: ${tenths
              .get(e)!
              .map((t) => s(t))
              .join(', ')} (flat = linear; the machine's noise is the spread).`,
        ),
      ].join('\n'),
    },
  ]
}
