import { createHash } from 'node:crypto'
import type { Knex } from 'knex'
import type { Clock } from '../clock'

export const GENESIS_HASH = '0'.repeat(64)

export interface AuditEntry {
  actor: string
  action: string
  entity: string
  entityKey: string
  before?: unknown
  after?: unknown
}

interface AuditRow {
  id: number
  at: string
  actor: string
  action: string
  entity: string
  entity_key: string
  before_json: string | null
  after_json: string | null
  prev_hash: string
  hash: string
}

/** The hash of a row covers its content and the previous row's hash (DOMAIN.md: Audit). */
export function auditHash(row: Omit<AuditRow, 'id' | 'hash'>): string {
  const content = [row.at, row.actor, row.action, row.entity, row.entity_key, row.before_json, row.after_json]
  return createHash('sha256').update(row.prev_hash).update('\n').update(JSON.stringify(content)).digest('hex')
}

/** Appends audit rows inside the caller's transaction, so the row commits with the change it records. */
export class AuditLog {
  constructor(private readonly clock: Clock) {}

  async append(trx: Knex.Transaction, entry: AuditEntry): Promise<void> {
    const last = await trx<AuditRow>('audit').select('hash').orderBy('id', 'desc').first()
    const row = {
      at: this.clock.now().toISOString(),
      actor: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entity_key: entry.entityKey,
      before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
      after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
      prev_hash: last?.hash ?? GENESIS_HASH,
    }
    await trx('audit').insert({ ...row, hash: auditHash(row) })
  }
}

export type AuditVerdict = { ok: true; rows: number } | { ok: false; brokenAt: number; reason: string }

/** Walks the chain from the first row and reports the first row whose link or content does not match. */
export async function verifyAuditChain(db: Knex): Promise<AuditVerdict> {
  let prev = GENESIS_HASH
  let count = 0
  const rows = await db<AuditRow>('audit').select('*').orderBy('id')
  for (const row of rows) {
    if (row.prev_hash !== prev)
      return { ok: false, brokenAt: row.id, reason: 'prev_hash does not match the previous row' }
    if (auditHash(row) !== row.hash)
      return { ok: false, brokenAt: row.id, reason: 'row content does not match its hash' }
    prev = row.hash
    count++
  }
  return { ok: true, rows: count }
}
