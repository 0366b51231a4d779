import { createHash } from 'node:crypto'
import type { Knex } from 'knex'

/**
 * The hash-chained audit both sides keep (DOMAIN.md: Audit): the branch's `audit` table and HQ's
 * `hq_audit` at central have the same columns and the same rule. Each row's hash covers its content
 * and the previous row's hash, so an edited or deleted row breaks every link after it.
 */
export const GENESIS_HASH = '0'.repeat(64)

export type AuditTable = 'audit' | 'hq_audit'

export interface AuditEntry {
  action: string
  entity: string
  entityKey: string
  before?: unknown
  after?: unknown
}

export interface AuditRow {
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

export function auditHash(row: Omit<AuditRow, 'id' | 'hash'>): string {
  const content = [row.at, row.actor, row.action, row.entity, row.entity_key, row.before_json, row.after_json]
  return createHash('sha256').update(row.prev_hash).update('\n').update(JSON.stringify(content)).digest('hex')
}

/**
 * Appends one row inside the caller's transaction, so it commits with the change it records. The row
 * lock on the last row orders concurrent writers on PostgreSQL; SQLite has one writer anyway.
 */
export async function appendAudit(
  trx: Knex.Transaction,
  table: AuditTable,
  actor: string,
  at: Date,
  entry: AuditEntry,
): Promise<void> {
  const last = await trx<AuditRow>(table).select('hash').orderBy('id', 'desc').forUpdate().first()
  const row = {
    at: at.toISOString(),
    actor,
    action: entry.action,
    entity: entry.entity,
    entity_key: entry.entityKey,
    before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
    after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
    prev_hash: last?.hash ?? GENESIS_HASH,
  }
  await trx(table).insert({ ...row, hash: auditHash(row) })
}

/** `link`: a row does not follow the one before it (one deleted or inserted); `content`: a row was edited. */
export type AuditVerdict =
  { ok: true; rows: number } | { ok: false; brokenAt: number; reason: 'link' | 'content' }

/** Walks the chain from the first row; reports the first row whose link or content does not match. */
export async function verifyAuditChain(db: Knex, table: AuditTable): Promise<AuditVerdict> {
  let prev = GENESIS_HASH
  let count = 0
  for (const row of await db<AuditRow>(table).select('*').orderBy('id')) {
    if (row.prev_hash !== prev) return { ok: false, brokenAt: Number(row.id), reason: 'link' }
    if (auditHash(row) !== row.hash) return { ok: false, brokenAt: Number(row.id), reason: 'content' }
    prev = row.hash
    count++
  }
  return { ok: true, rows: count }
}

/** An audit row as screens show it: before and after parsed back from JSON. */
export function auditView(a: AuditRow) {
  return {
    id: Number(a.id),
    at: a.at,
    actor: a.actor,
    action: a.action,
    entity: a.entity,
    entityKey: a.entity_key,
    before: a.before_json ? (JSON.parse(a.before_json) as unknown) : null,
    after: a.after_json ? (JSON.parse(a.after_json) as unknown) : null,
  }
}
