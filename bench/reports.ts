// Reports over one busy branch's history: 60 requests a business day (a third of them hard-token
// issuances with a receipt and a ledger entry), on the demo bank, read through the report service the
// screens call. Three sizes of history (a month, a quarter, a year); the report screen asks one month
// per call, so the one-month figures must stay flat as the history grows (the baseline is the same
// month on the shortest history). The whole-history single calls show the worst case.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createApp } from '../src/main/app'
import { FakeClock } from '../src/main/clock'
import { FileKeyStore } from '../src/core/security/keyStore'
import type { Session } from '../src/main/services/sessions'
import { count, ms, ratio, type BenchOptions, type Table } from './lib/report'

const REQUESTS_A_DAY = 60
/** The day the app's clock shows: the history ends the day before. */
const TODAY = '2026-11-25T01:00:00Z'

function isoDay(daysBeforeToday: number): string {
  return new Date(Date.parse(TODAY) - daysBeforeToday * 86_400_000).toISOString().slice(0, 10)
}

/** The branch's history: `days` business days before today, written as the counter services write it. */
function history(days: number, cifs: string[]) {
  const requests: object[] = []
  const receipts: object[] = []
  const ledger: object[] = []
  const tellers = ['T001', 'T002']
  let n = 0
  for (let day = days; day >= 1; day--) {
    const date = isoDay(day)
    for (let i = 0; i < REQUESTS_A_DAY; i++) {
      n++
      const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
      const at = `${date}T02:${String(i % 60).padStart(2, '0')}:00.000Z`
      const kind = i % 3 === 0 ? 'revocation' : i % 3 === 1 ? 'hard_issuance' : 'suspension'
      const maker = tellers[i % 2]!
      const cif = cifs[n % cifs.length]
      requests.push({
        id,
        kind,
        cif,
        state: 'completed',
        maker,
        created_at: at,
        updated_at: at,
        channel: kind === 'revocation' ? 'paper' : null,
      })
      if (kind !== 'hard_issuance') continue
      const receiptNo = `001-00-${date.replace(/-/g, '')}-${String(i).padStart(4, '0')}`
      receipts.push({
        receipt_no: receiptNo,
        branch_code: '001',
        business_date: date,
        seq: i,
        staff_id: maker,
        cif,
        method: 'cash',
        amount_yen: 1100,
        tax_yen: 100,
        created_at: at,
      })
      ledger.push({
        receipt_no: receiptNo,
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
  return { requests, receipts, ledger }
}

/** The best of `rounds` calls after one warm-up (the machine is shared: the best is the code's cost). */
async function best(rounds: number, call: () => Promise<unknown>): Promise<number> {
  await call()
  let fastest = Infinity
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    await call()
    fastest = Math.min(fastest, performance.now() - start)
  }
  return fastest
}

interface Figures {
  days: number
  requests: number
  receipts: number
  operationsMonth: number
  feesMonth: number
  operationsAll: number
  feesAll: number
  dashboard: number
}

async function measure(days: number, rounds: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-reports-'))
  const app = await createApp({
    dbFile: join(dir, 'branch.sqlite'),
    keyStore: new FileKeyStore(join(dir, 'keys')),
    clock: new FakeClock(TODAY),
    demo: true,
    startSync: false,
  })
  try {
    if (app.state !== 'ready') throw new Error(`the benchmark's branch database opened ${app.state}`)
    const { db, reports } = app.services
    const cifs: string[] = await db('customers').limit(2000).pluck('cif')
    const rows = history(days, cifs)
    for (const [table, list] of [
      ['requests', rows.requests],
      ['receipts', rows.receipts],
      ['ledger_entries', rows.ledger],
    ] as const)
      for (let i = 0; i < list.length; i += 500) await db(table).insert(list.slice(i, i + 500))
    const session: Session = {
      staffId: 'S001',
      name: '',
      role: 'supervisor',
      branchCode: '001',
      lastActivityMs: 0,
      locked: false,
    }
    // The last full month of the history (the report screen's one call), and the whole history.
    const month = { from: isoDay(Math.min(days, 30)), to: isoDay(1) }
    const all = { from: isoDay(days), to: isoDay(1) }
    return {
      days,
      requests: rows.requests.length,
      receipts: rows.receipts.length,
      operationsMonth: await best(rounds, () => reports.operations(session, month)),
      feesMonth: await best(rounds, () => reports.fees(session, month)),
      operationsAll: await best(rounds, () => reports.operations(session, all)),
      feesAll: await best(rounds, () => reports.fees(session, all)),
      dashboard: await best(rounds, () => reports.dashboard(session)),
    }
  } finally {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function reports(options: BenchOptions): Promise<Table[]> {
  const sizes = options.sizes ?? (options.smoke ? [2, 4, 8] : [30, 91, 365])
  const rounds = options.smoke ? 1 : 5
  const figures: Figures[] = []
  for (const days of sizes) figures.push(await measure(days, rounds))
  const base = figures[0]!
  return [
    {
      title: 'Reports over one busy branch (60 requests a business day), through the report service',
      columns: [
        'days of history',
        'requests',
        'receipts',
        '日次業務, one month',
        '手数料台帳, one month',
        'dashboard',
        '日次業務, all in one call',
        '手数料台帳, all in one call',
      ],
      rows: figures.map((f) => [
        count(f.days),
        count(f.requests),
        count(f.receipts),
        `${ms(f.operationsMonth)} (${ratio(f.operationsMonth / base.operationsMonth)})`,
        `${ms(f.feesMonth)} (${ratio(f.feesMonth / base.feesMonth)})`,
        `${ms(f.dashboard)} (${ratio(f.dashboard / base.dashboard)})`,
        ms(f.operationsAll),
        ms(f.feesAll),
      ]),
      note: `${rounds === 1 ? 'One call' : `Best of ${rounds} calls`} after a warm-up. In brackets: the ratio to the same call on the shortest history (flat = 1×): the screen asks one month a call.`,
    },
  ]
}
