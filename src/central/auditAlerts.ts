import type { Knex } from 'knex'
import { requireHqRole } from './hqActor'
import type { HqContext } from './hqContext'

/**
 * Central's own check of a branch PC's audit log (issue 10: audit anchoring). Each push carries the PC's
 * audit row count and last row hash; central keeps them as that PC's anchor. A later push reporting fewer
 * rows than anchored means the log was cut short; the same count with another last hash means it was
 * rewritten. Either is recorded here as an alert for HQ and written to central's log, the push is still
 * accepted (the branch's work is not lost), and the anchor keeps the last good values so the evidence
 * is not overwritten by the bad ones.
 */
export type AuditAlertKind = 'cut' | 'rewritten'

export interface AuditAlert {
  clientId: string
  branch: string
  workstationNo: string | null
  workstationName: string
  kind: AuditAlertKind
  anchoredCount: number
  anchoredHash: string
  anchoredAt: string | null
  receivedCount: number
  receivedHash: string
  detectedAt: string
}

interface ClientAnchor {
  client_id: string
  branch_code: string
  workstation_no: string | null
  workstation_name: string
  audit_count: number | string | null
  audit_hash: string | null
  audit_anchored_at: string | null
}

/** What a push's status says against the anchor: null when it follows on from it (or there is none yet). */
export function auditAnchorBreak(
  anchor: { count: number | null; hash: string | null },
  received: { auditCount: number; auditHash: string },
): AuditAlertKind | null {
  if (anchor.count === null || anchor.hash === null) return null
  if (received.auditCount < anchor.count) return 'cut'
  if (received.auditCount === anchor.count && received.auditHash !== anchor.hash) return 'rewritten'
  return null
}

/**
 * Compares a push's audit status with the PC's anchor (inside the push's transaction, on the client row
 * it locked). Returns null when the anchor may move on; otherwise the break, with the alert when it is
 * new — the same anchor broken again (a PC pushes every 15 s) is recorded once.
 */
export async function checkAuditAnchor(
  trx: Knex.Transaction,
  client: ClientAnchor,
  received: { auditCount: number; auditHash: string },
  at: string,
): Promise<{ kind: AuditAlertKind; alert: AuditAlert | null } | null> {
  const anchoredCount = client.audit_count === null ? null : Number(client.audit_count)
  const kind = auditAnchorBreak({ count: anchoredCount, hash: client.audit_hash }, received)
  if (!kind) return null
  // One alert per broken anchor: the anchor stays put while the PC keeps pushing a short or other log.
  const known = await trx('audit_alerts')
    .where({
      client_id: client.client_id,
      kind,
      anchored_count: anchoredCount,
      anchored_hash: client.audit_hash,
    })
    .first('id')
  if (known) return { kind, alert: null }
  const alert: AuditAlert = {
    clientId: client.client_id,
    branch: client.branch_code,
    workstationNo: client.workstation_no,
    workstationName: client.workstation_name,
    kind,
    anchoredCount: anchoredCount!,
    anchoredHash: client.audit_hash!,
    anchoredAt: client.audit_anchored_at,
    receivedCount: received.auditCount,
    receivedHash: received.auditHash,
    detectedAt: at,
  }
  await trx('audit_alerts').insert({
    client_id: alert.clientId,
    branch_code: alert.branch,
    workstation_no: alert.workstationNo,
    kind,
    anchored_count: alert.anchoredCount,
    anchored_hash: alert.anchoredHash,
    anchored_at: alert.anchoredAt,
    received_count: alert.receivedCount,
    received_hash: alert.receivedHash,
    detected_at: at,
  })
  return { kind, alert }
}

/** For central's log: who and what, with short hash prefixes (a hash is no secret, but the line stays short). */
export function auditAlertLogFields(alert: AuditAlert) {
  return {
    event: 'audit_anchor_alert',
    kind: alert.kind,
    branch: alert.branch,
    workstationNo: alert.workstationNo,
    clientId: alert.clientId,
    anchoredCount: alert.anchoredCount,
    anchoredHash: alert.anchoredHash.slice(0, 12),
    receivedCount: alert.receivedCount,
    receivedHash: alert.receivedHash.slice(0, 12),
  }
}

/** HQ's list of audit alerts, newest first (HQ supervisors and admins: the same people who read HQ's audit). */
export async function listAuditAlerts(ctx: HqContext): Promise<AuditAlert[]> {
  requireHqRole(ctx.actor, ['hq_supervisor', 'hq_admin'])
  const rows = await ctx
    .db('audit_alerts as a')
    .leftJoin('clients as c', 'c.client_id', 'a.client_id')
    .orderBy('a.id', 'desc')
    .limit(200)
    .select('a.*', 'c.workstation_name')
  return rows.map((r) => ({
    clientId: String(r.client_id),
    branch: String(r.branch_code),
    workstationNo: r.workstation_no ?? null,
    workstationName: String(r.workstation_name ?? ''),
    kind: r.kind as AuditAlertKind,
    anchoredCount: Number(r.anchored_count),
    anchoredHash: String(r.anchored_hash),
    anchoredAt: r.anchored_at ?? null,
    receivedCount: Number(r.received_count),
    receivedHash: String(r.received_hash),
    detectedAt: String(r.detected_at),
  }))
}
