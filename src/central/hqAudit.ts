import { createHash } from 'node:crypto'
import type { Knex } from 'knex'
import { actorName, type HqActor } from './hqActor'

/**
 * HQ's own audit at central (issue 9): one row per HQ action, in the action's transaction, each row
 * hashing the previous one (DOMAIN.md: Audit). Rows are never updated or deleted.
 */
export const GENESIS_HASH = '0'.repeat(64)

export interface HqAuditEntry {
  action: string
  entity: string
  entityKey: string
  before?: unknown
  after?: unknown
}

interface HqAuditRow {
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

function rowHash(row: Omit<HqAuditRow, 'id' | 'hash'>): string {
  const content = [row.at, row.actor, row.action, row.entity, row.entity_key, row.before_json, row.after_json]
  return createHash('sha256').update(row.prev_hash).update('\n').update(JSON.stringify(content)).digest('hex')
}

export async function appendHqAudit(
  trx: Knex.Transaction,
  actor: HqActor | string,
  at: Date,
  entry: HqAuditEntry,
): Promise<void> {
  // The row lock on the last row orders concurrent writers on PostgreSQL; SQLite has one writer anyway.
  const last = await trx<HqAuditRow>('hq_audit').select('hash').orderBy('id', 'desc').forUpdate().first()
  const row = {
    at: at.toISOString(),
    actor: typeof actor === 'string' ? actor : actorName(actor),
    action: entry.action,
    entity: entry.entity,
    entity_key: entry.entityKey,
    before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
    after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
    prev_hash: last?.hash ?? GENESIS_HASH,
  }
  await trx('hq_audit').insert({ ...row, hash: rowHash(row) })
}

export type HqAuditVerdict = { ok: true; rows: number } | { ok: false; brokenAt: number; reason: string }

/** Walks the chain from the first row; reports the first row whose link or content does not match. */
export async function verifyHqAudit(db: Knex): Promise<HqAuditVerdict> {
  let prev = GENESIS_HASH
  let count = 0
  for (const row of await db<HqAuditRow>('hq_audit').select('*').orderBy('id')) {
    if (row.prev_hash !== prev) return { ok: false, brokenAt: row.id, reason: 'link' }
    if (rowHash(row) !== row.hash) return { ok: false, brokenAt: row.id, reason: 'content' }
    prev = row.hash
    count++
  }
  return { ok: true, rows: count }
}

const PAGE_SIZE = 50

export async function listHqAudit(
  db: Knex,
  filter: { actor?: string; action?: string; entityKey?: string; page?: number },
) {
  const page = Math.max(1, filter.page ?? 1)
  const q = db<HqAuditRow>('hq_audit')
  if (filter.actor) q.where('actor', filter.actor)
  if (filter.action) q.where('action', 'like', `${filter.action.replace(/[%_\\]/g, '')}%`)
  if (filter.entityKey) q.where('entity_key', filter.entityKey)
  const [counted] = await q.clone().count<{ n: number }[]>({ n: '*' })
  const rows = await q
    .select('*')
    .orderBy('id', 'desc')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
  return {
    total: Number(counted?.n ?? 0),
    page,
    pageSize: PAGE_SIZE,
    items: rows.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      action: r.action,
      entity: r.entity,
      entityKey: r.entity_key,
      before: r.before_json ? (JSON.parse(r.before_json) as unknown) : null,
      after: r.after_json ? (JSON.parse(r.after_json) as unknown) : null,
    })),
  }
}
