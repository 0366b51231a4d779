import { createHash, randomBytes } from 'node:crypto'
import { businessDate } from '../core/domain/businessDate'
import { paperDueOn } from '../core/domain/revocationRules'
import { nextVersion } from './db'
import { requireHqRole } from './hqActor'
import { appendHqAudit } from './hqAudit'
import type { HqContext } from './hqContext'
import { HqError } from './hqError'
import { LOW_STOCK } from './hqStock'
import { createEnrollmentCode } from './sync'

const ANY_HQ = ['hq_operator', 'hq_supervisor', 'hq_admin'] as const

/** A PC that has not called central for more than an hour is shown as offline (issue 9: overview). */
export const OFFLINE_AFTER_MS = 60 * 60_000

type ClientRow = Record<string, unknown>

function workstationView(c: ClientRow, now: Date) {
  const lastSeen = (c['last_seen_at'] as string | null | undefined) ?? null
  return {
    clientId: String(c['client_id']),
    branch: String(c['branch_code']),
    name: String(c['workstation_name']),
    workstationNo: (c['workstation_no'] as string | null | undefined) ?? null,
    enrolledAt: String(c['created_at']),
    lastSeenAt: lastSeen,
    lastPushAt: (c['last_push_at'] as string | null | undefined) ?? null,
    queueDepth: c['queue_depth'] === undefined || c['queue_depth'] === null ? null : Number(c['queue_depth']),
    oldestPendingAt: (c['oldest_pending_at'] as string | null | undefined) ?? null,
    appVersion: (c['app_version'] as string | null | undefined) ?? null,
    revokedAt: (c['revoked_at'] as string | null | undefined) ?? null,
    offline: !lastSeen || now.getTime() - Date.parse(lastSeen) > OFFLINE_AFTER_MS,
  }
}

export async function listBranches(ctx: HqContext) {
  requireHqRole(ctx.actor, ANY_HQ)
  const branches = await ctx.db('branches').orderBy('code')
  const clients = await ctx.db('clients').orderBy(['branch_code', 'created_at'])
  return branches.map((b) => ({
    code: String(b.code),
    name: String(b.name),
    workstations: clients.filter((c) => c.branch_code === b.code).map((c) => workstationView(c, ctx.now)),
  }))
}

export async function addBranch(ctx: HqContext, code: string, name: string): Promise<void> {
  requireHqRole(ctx.actor, ['hq_admin'])
  const fields: Record<string, string> = {}
  if (!/^\d{3}$/.test(code)) fields['code'] = 'BRANCH_CODE_FORMAT'
  if (!name.trim()) fields['name'] = 'REQUIRED'
  if (Object.keys(fields).length)
    throw new HqError('VALIDATION', 'branch code is 3 digits and a name is required', { fields })
  await ctx.db.transaction(async (trx) => {
    if (await trx('branches').where({ code }).first()) throw new HqError('CONFLICT', `branch ${code} exists`)
    await trx('branches').insert({ code, name: name.trim(), version: await nextVersion(trx) })
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'branch.add',
      entity: 'branch',
      entityKey: code,
      after: { name: name.trim() },
    })
  })
}

/** A single-use code for enrolling one PC of a branch, valid 24 hours; shown once, only its hash is kept. */
export async function issueEnrolmentCode(ctx: HqContext, branch: string) {
  requireHqRole(ctx.actor, ['hq_admin'])
  if (!(await ctx.db('branches').where({ code: branch }).first()))
    throw new HqError('NOT_FOUND', `no branch ${branch}`)
  const code = await ctx.db.transaction(async (trx) => {
    const made = await createEnrollmentCode(trx, branch, ctx.now)
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'enrolment_code.issue',
      entity: 'branch',
      entityKey: branch,
      // A prefix of the code's hash identifies it in the audit without letting anyone use it.
      after: { codeHash: createHash('sha256').update(made).digest('hex').slice(0, 12) },
    })
    return made
  })
  return { code, branch, expiresAt: new Date(ctx.now.getTime() + 24 * 3600_000).toISOString() }
}

/** Revokes a PC's credentials: central refuses its pushes and pulls from now on; it must be enrolled again. */
export async function revokeWorkstation(ctx: HqContext, clientId: string): Promise<void> {
  requireHqRole(ctx.actor, ['hq_admin'])
  await ctx.db.transaction(async (trx) => {
    const client = await trx('clients').where({ client_id: clientId }).first()
    if (!client) throw new HqError('NOT_FOUND', `no workstation ${clientId}`)
    if (client.revoked_at) throw new HqError('ALREADY_REVOKED', `${clientId} is already revoked`)
    // The stored secret hash is replaced too, so the PC's credentials fail however they are checked.
    await trx('clients')
      .where({ client_id: clientId })
      .update({
        revoked_at: ctx.now.toISOString(),
        secret_hash: createHash('sha256').update(randomBytes(32)).digest('hex'),
      })
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'workstation.revoke',
      entity: 'workstation',
      entityKey: clientId,
      before: { revokedAt: null },
      after: { revokedAt: ctx.now.toISOString(), branch: client.branch_code },
    })
  })
}

/** Per branch at a glance: revocations waiting and overdue, PCs offline for over an hour, stock running low. */
export async function overview(ctx: HqContext) {
  requireHqRole(ctx.actor, ANY_HQ)
  const today = businessDate(ctx.now)
  const branches = await ctx.db('branches').orderBy('code')
  const open = await ctx
    .db('requests as r')
    .leftJoin('hq_completions as h', 'h.request_id', 'r.id')
    .where({ 'r.kind': 'revocation', 'r.state': 'awaiting_central' })
    .select('r.branch_code', 'r.detail_json', 'h.prepared_by')
  const clients = await ctx.db('clients')
  const stock = await ctx
    .db('inventory')
    .where({ state: 'in_stock' })
    .whereNotNull('branch_code')
    .select('branch_code')
    .count<{ branch_code: string; n: number }[]>({ n: '*' })
    .groupBy('branch_code')
  const rows = branches.map((b) => {
    const mine = open.filter((r) => r.branch_code === b.code)
    const overdue = mine.filter((r) => {
      const d = JSON.parse(String(r.detail_json)) as {
        channel: string
        paperForm?: { receivedOn?: string } | null
      }
      return d.channel === 'paper' && d.paperForm?.receivedOn && paperDueOn(d.paperForm.receivedOn) < today
    }).length
    const pcs = clients
      .filter((c) => c.branch_code === b.code && !c.revoked_at)
      .map((c) => workstationView(c, ctx.now))
    const inStock = Number(stock.find((s) => s.branch_code === b.code)?.n ?? 0)
    return {
      code: String(b.code),
      name: String(b.name),
      pending: mine.length,
      prepared: mine.filter((r) => r.prepared_by).length,
      overdue,
      workstations: pcs.length,
      offline: pcs.filter((p) => p.offline).length,
      inStock,
      lowStock: inStock < LOW_STOCK,
    }
  })
  const unallocated = await ctx
    .db('inventory')
    .whereNull('branch_code')
    .where({ state: 'in_stock' })
    .count<{ n: number }[]>({ n: '*' })
  return { today, lowStockBelow: LOW_STOCK, unallocated: Number(unallocated[0]?.n ?? 0), branches: rows }
}
