import type { Knex } from 'knex'
import { verifyAuditChain, type AuditRow } from '../../core/auditChain'

/**
 * What someone outside the PC remembers of its audit: the row count and the last row's hash at some
 * moment (each push carries them to central). The chain alone shows an edited or deleted row, but not a
 * tail cut off cleanly, nor a chain rewritten from scratch with fresh hashes; an anchor shows both.
 */
export interface AuditAnchor {
  count: number
  hash: string
}

export type AnchoredVerdict =
  | { ok: true; rows: number }
  | { ok: false; reason: 'chain_broken'; brokenAt: number; detail: 'link' | 'content' }
  | { ok: false; reason: 'cut_short'; rows: number; anchoredRows: number }
  | { ok: false; reason: 'rewritten'; atRow: number; found: string | null }

/** The PC's current anchor: what a push reports. */
export async function currentAnchor(db: Knex): Promise<AuditAnchor> {
  const [counted] = await db('audit').count<{ n: number }[]>({ n: '*' })
  const last = await db<AuditRow>('audit').select('hash').orderBy('id', 'desc').first()
  return { count: Number(counted?.n ?? 0), hash: last?.hash ?? '' }
}

/**
 * The chain must be whole, hold at least the anchored number of rows, and its row at that position must
 * carry the anchored hash (so everything up to the anchor is exactly what was anchored).
 */
export async function verifyAgainstAnchor(db: Knex, anchor: AuditAnchor): Promise<AnchoredVerdict> {
  const chain = await verifyAuditChain(db, 'audit')
  if (!chain.ok) return { ok: false, reason: 'chain_broken', brokenAt: chain.brokenAt, detail: chain.reason }
  if (anchor.count === 0) return { ok: true, rows: chain.rows }
  if (chain.rows < anchor.count)
    return { ok: false, reason: 'cut_short', rows: chain.rows, anchoredRows: anchor.count }
  const row = await db<AuditRow>('audit')
    .select('hash')
    .orderBy('id')
    .offset(anchor.count - 1)
    .first()
  if (row?.hash !== anchor.hash)
    return { ok: false, reason: 'rewritten', atRow: anchor.count, found: row?.hash ?? null }
  return { ok: true, rows: chain.rows }
}
