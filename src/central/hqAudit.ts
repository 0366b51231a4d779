import type { Knex } from 'knex'
import { appendAudit, auditView, verifyAuditChain, type AuditEntry, type AuditRow } from '../core/auditChain'
import { actorName, type HqActor } from './hqActor'

/**
 * HQ's own audit at central (issue 9): one row per HQ action, in the action's transaction, chained like
 * the branch's audit (src/core/auditChain.ts). Rows are never updated or deleted.
 */
export function appendHqAudit(
  trx: Knex.Transaction,
  actor: HqActor | string,
  at: Date,
  entry: AuditEntry,
): Promise<void> {
  return appendAudit(trx, 'hq_audit', typeof actor === 'string' ? actor : actorName(actor), at, entry)
}

export function verifyHqAudit(db: Knex) {
  return verifyAuditChain(db, 'hq_audit')
}

const PAGE_SIZE = 50

export async function listHqAudit(
  db: Knex,
  filter: { actor?: string; action?: string; entityKey?: string; page?: number },
) {
  const page = Math.max(1, filter.page ?? 1)
  const q = db<AuditRow>('hq_audit')
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
    items: rows.map(auditView),
  }
}
