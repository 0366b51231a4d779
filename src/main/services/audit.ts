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

/** An audit row as screens show it: before and after parsed back from JSON. */
export function auditView(a: AuditRow) {
  return {
    id: a.id,
    at: a.at,
    actor: a.actor,
    action: a.action,
    entity: a.entity,
    entityKey: a.entity_key,
    before: a.before_json ? (JSON.parse(a.before_json) as unknown) : null,
    after: a.after_json ? (JSON.parse(a.after_json) as unknown) : null,
  }
}
