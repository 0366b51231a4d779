// What every benchmark prints: tables with the peer or baseline and the ratio, and the machine they ran on.
import { cpus, totalmem } from 'node:os'
import { performance } from 'node:perf_hooks'

export interface Table {
  title: string
  columns: string[]
  rows: (string | number)[][]
  /** One line under the table: what the baseline or peer is, and the target. */
  note?: string
}

export interface BenchOptions {
  /** A tiny run (seconds) that proves the benchmark still works; `npm test` runs it. */
  smoke: boolean
  /** PostgreSQL admin URL for the central benchmarks (TEST_POSTGRES_URL), or none. */
  postgresUrl?: string
  /** Sizes to run instead of the three standard ones (`--sizes 1000,10000`). */
  sizes?: number[]
}

export type Bench = (options: BenchOptions) => Promise<Table[]>

export function printTable(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(String))]
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`
  return [
    `### ${t.title}`,
    '',
    line(cells[0]!),
    rule,
    ...cells.slice(1).map(line),
    '',
    ...(t.note ? [t.note, ''] : []),
  ].join('\n')
}

export function machine(): string {
  const cpu = cpus()
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`
}

export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await fn()
  return { ms: performance.now() - start, value }
}

export const ms = (n: number, digits = n < 10 ? 2 : 0) => `${n.toFixed(digits)} ms`
export const s = (n: number) => `${(n / 1000).toFixed(2)} s`
export const ratio = (n: number) => `${n.toFixed(2)}×`
export const count = (n: number) => n.toLocaleString('en-US')
export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`
