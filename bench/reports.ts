// Reports over a year of one busy branch: 60 requests a business day for 365 days (21,900 requests,
// 7,300 receipts with ledger entries), read through the report service the screens call. The report
// screen asks month by month (one call a month); the full-year single calls show the worst case.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createApp } from '../src/main/app'
import { FakeClock } from '../src/main/clock'
import { FileKeyStore } from '../src/core/security/keyStore'

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'td-bench-'))
  const clock = new FakeClock('2026-11-25T01:00:00Z')
  const app = await createApp({
    dbFile: join(dir, 'b.sqlite'),
    keyStore: new FileKeyStore(join(dir, 'k')),
    clock,
    demo: true,
    startSync: false,
  })
  if (app.state !== 'ready') throw new Error('x')
  const { db, reports } = app.services
  const cifs: string[] = await db('customers').limit(2000).pluck('cif')
  const tellers = ['T001', 'T002']
  let n = 0
  const reqs: object[] = [],
    receipts: object[] = [],
    ledger: object[] = []
  for (let day = 0; day < 365; day++) {
    const date = new Date(Date.UTC(2025, 10, 26 + day)).toISOString().slice(0, 10)
    for (let i = 0; i < 60; i++) {
      n++
      const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
      const at = `${date}T02:${String(i % 60).padStart(2, '0')}:00.000Z`
      const kind = i % 3 === 0 ? 'revocation' : i % 3 === 1 ? 'hard_issuance' : 'suspension'
      const maker = tellers[i % 2]!
      reqs.push({
        id,
        kind,
        cif: cifs[n % 2000],
        state: 'completed',
        maker,
        created_at: at,
        updated_at: at,
        channel: kind === 'revocation' ? 'paper' : null,
      })
      if (kind === 'hard_issuance') {
        const no = `001-00-${date.replace(/-/g, '')}-${String(i).padStart(4, '0')}`
        receipts.push({
          receipt_no: no,
          branch_code: '001',
          business_date: date,
          seq: i,
          staff_id: maker,
          cif: cifs[n % 2000],
          method: 'cash',
          amount_yen: 1100,
          tax_yen: 100,
          created_at: at,
        })
        ledger.push({
          receipt_no: no,
          kind: 'fee',
          staff_id: maker,
          business_date: date,
          method: 'cash',
          amount_yen: 1100,
          cash_yen: 1100,
          created_at: at,
        })
      }
    }
  }
  for (let i = 0; i < reqs.length; i += 500) await db('requests').insert(reqs.slice(i, i + 500))
  for (let i = 0; i < receipts.length; i += 500) await db('receipts').insert(receipts.slice(i, i + 500))
  for (let i = 0; i < ledger.length; i += 500) await db('ledger_entries').insert(ledger.slice(i, i + 500))
  console.log(`rows: requests ${reqs.length}, receipts ${receipts.length}`)
  const session = {
    staffId: 'S001',
    name: '',
    role: 'supervisor' as const,
    branchCode: '001',
    lastActivityMs: 0,
    locked: false,
  }
  async function time(label: string, f: () => Promise<unknown>) {
    await f() // warm-up
    let best = Infinity
    let rows: number | undefined
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      const r = await f()
      best = Math.min(best, performance.now() - t)
      rows = (r as { rows?: unknown[] }).rows?.length
    }
    console.log(`${label}: ${best.toFixed(0)} ms${rows !== undefined ? ` (${rows} rows)` : ''} (best of 5)`)
  }

  await time('operations one month', () =>
    reports.operations(session, { from: '2026-10-01', to: '2026-10-31' }),
  )
  await time('fees one month', () => reports.fees(session, { from: '2026-10-01', to: '2026-10-31' }))
  await time('operations full year (one call)', () =>
    reports.operations(session, { from: '2025-11-26', to: '2026-11-25' }),
  )
  await time('fees full year (one call)', () =>
    reports.fees(session, { from: '2025-11-26', to: '2026-11-25' }),
  )
  await time('dashboard', () => reports.dashboard(session))
  await app.close()
  rmSync(dir, { recursive: true, force: true })
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
