import type { Knex } from 'knex'
import { appendAudit, auditView, type AuditEntry, type AuditRow } from '../../core/auditChain'
import type { Clock } from '../clock'

/** Appends the branch's audit rows inside the caller's transaction, at the PC's clock. */
export class AuditLog {
  constructor(private readonly clock: Clock) {}

  append(trx: Knex.Transaction, entry: AuditEntry & { actor: string }): Promise<void> {
    return appendAudit(trx, 'audit', entry.actor, this.clock.now(), entry)
  }
}

const AUDIT_PAGE_SIZE = 50

/** The audit viewer's query: newest first, filtered by who, what, which record and when (Japan dates). */
export async function listAudit(
  db: Knex,
  filter: { actor?: string; action?: string; entityKey?: string; from?: string; to?: string; page: number },
) {
  const q = db<AuditRow>('audit')
  if (filter.actor) q.where('actor', filter.actor)
  // One action exactly (`token.issue_hard`), or a family by its prefix ending in a dot (`revocation.`).
  if (filter.action?.endsWith('.')) q.where('action', 'like', `${filter.action.replace(/[%_\\]/g, '')}%`)
  else if (filter.action) q.where('action', filter.action)
  if (filter.entityKey) q.where('entity_key', filter.entityKey)
  // Dates are Japan calendar days; audit times are UTC instants.
  if (filter.from) q.where('at', '>=', new Date(`${filter.from}T00:00:00+09:00`).toISOString())
  if (filter.to)
    q.where('at', '<', new Date(new Date(`${filter.to}T00:00:00+09:00`).getTime() + 86_400_000).toISOString())
  const [counted] = await q.clone().count<{ n: number }[]>({ n: '*' })
  const rows = await q
    .select('*')
    .orderBy('id', 'desc')
    .limit(AUDIT_PAGE_SIZE)
    .offset((filter.page - 1) * AUDIT_PAGE_SIZE)
  return {
    total: Number(counted?.n ?? 0),
    page: filter.page,
    pageSize: AUDIT_PAGE_SIZE,
    items: rows.map(auditView),
  }
}
