import type { Knex } from 'knex'
import { businessDate } from '../core/domain/businessDate'
import { paperDueOn } from '../core/domain/revocationRules'
import { nextVersion } from './db'
import { actorName, requireHqRole } from './hqActor'
import { appendHqAudit } from './hqAudit'
import type { HqContext } from './hqContext'
import { HqError } from './hqError'

/**
 * The 利用解除 queue at HQ (issue 9): every branch's revocations a branch supervisor approved, waiting for
 * central. HQ completes or rejects them; a 書面 revocation's completion is prepared by one HQ person and
 * approved by a different hq_supervisor (maker ≠ checker at HQ too). The preparation lives in
 * hq_completions only, so a branch never sees an intermediate state: it pulls `completed` or `rejected`.
 */
export const QUEUE_STATES = ['open', 'awaiting', 'prepared', 'completed', 'rejected', 'withdrawn'] as const
export type QueueState = (typeof QUEUE_STATES)[number]

export interface QueueItem {
  id: string
  branch: string
  branchName: string
  cif: string
  customerName: string
  channel: 'in_person' | 'paper'
  reason: string | null
  formNo: string | null
  receivedOn: string | null
  dueOn: string | null
  daysLeft: number | null
  overdue: boolean
  state: 'awaiting' | 'prepared' | 'completed' | 'rejected' | 'withdrawn'
  maker: string
  checker: string | null
  preparedBy: string | null
  preparedAt: string | null
  approvedBy: string | null
  decisionReason: string | null
}

const DAY_MS = 86_400_000
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS)

const OPEN_LIMIT = 2000
const CLOSED_LIMIT = 200

function toItem(row: Record<string, unknown>, today: string): QueueItem {
  const detail = JSON.parse(String(row['detail_json'])) as {
    channel: 'in_person' | 'paper'
    reason?: string
    paperForm?: { formNo?: string; receivedOn?: string } | null
  }
  const receivedOn = detail.paperForm?.receivedOn ?? null
  const dueOn = detail.channel === 'paper' && receivedOn ? paperDueOn(receivedOn) : null
  const open = row['state'] === 'awaiting_central'
  const daysLeft = open && dueOn ? daysBetween(today, dueOn) : null
  const state: QueueItem['state'] = open
    ? row['prepared_by']
      ? 'prepared'
      : 'awaiting'
    : (row['state'] as QueueItem['state'])
  return {
    id: String(row['id']),
    branch: String(row['branch_code']),
    branchName: String(row['branch_name'] ?? ''),
    cif: String(row['cif']),
    customerName: String(row['name_kanji'] ?? ''),
    channel: detail.channel,
    reason: detail.reason ?? null,
    formNo: detail.paperForm?.formNo ?? null,
    receivedOn,
    dueOn,
    daysLeft,
    overdue: daysLeft !== null && daysLeft < 0,
    state,
    maker: String(row['maker']),
    checker: (row['checker'] as string | null) ?? null,
    preparedBy: (row['prepared_by'] as string | null) ?? null,
    preparedAt: (row['prepared_at'] as string | null) ?? null,
    approvedBy: (row['approved_by'] as string | null) ?? null,
    decisionReason: (row['decision_reason'] as string | null) ?? null,
  }
}

/** Overdue first, then the fewest days left; requests without a due date (窓口) after those with one. */
export function byUrgency(a: QueueItem, b: QueueItem): number {
  const da = a.daysLeft ?? Number.POSITIVE_INFINITY
  const db = b.daysLeft ?? Number.POSITIVE_INFINITY
  return da !== db ? da - db : a.id.localeCompare(b.id)
}

export async function revocationQueue(
  ctx: HqContext,
  filter: { branch?: string; state?: QueueState },
): Promise<QueueItem[]> {
  requireHqRole(ctx.actor, ['hq_operator', 'hq_supervisor', 'hq_admin'])
  const state = filter.state ?? 'open'
  const q = ctx
    .db('requests as r')
    .leftJoin('customers as c', 'c.cif', 'r.cif')
    .leftJoin('branches as b', 'b.code', 'r.branch_code')
    .leftJoin('hq_completions as h', 'h.request_id', 'r.id')
    .where('r.kind', 'revocation')
    .select('r.*', 'c.name_kanji', 'b.name as branch_name', 'h.prepared_by', 'h.prepared_at', 'h.approved_by')
  if (filter.branch) q.where('r.branch_code', filter.branch)
  if (state === 'open' || state === 'awaiting' || state === 'prepared') {
    q.where('r.state', 'awaiting_central').limit(OPEN_LIMIT)
    if (state === 'awaiting') q.whereNull('h.prepared_by')
    if (state === 'prepared') q.whereNotNull('h.prepared_by')
  } else {
    q.where('r.state', state).orderBy('r.version', 'desc').limit(CLOSED_LIMIT)
  }
  const today = businessDate(ctx.now)
  const items = (await q).map((r: Record<string, unknown>) => toItem(r, today))
  return state === 'open' || state === 'awaiting' || state === 'prepared' ? items.sort(byUrgency) : items
}

async function openRevocation(trx: Knex.Transaction, id: string) {
  const req = await trx('requests').where({ id, kind: 'revocation' }).forUpdate().first()
  if (!req) throw new HqError('NOT_FOUND', `no revocation ${id}`)
  if (req.state !== 'awaiting_central')
    throw new HqError('INVALID_STATE', `revocation ${id} is ${req.state}, not awaiting central`, {
      state: req.state,
    })
  return req as {
    id: string
    cif: string
    branch_code: string
    prev_status: string
    token_uid: string | null
    detail_json: string
  }
}

const channelOf = (req: { detail_json: string }) =>
  (JSON.parse(req.detail_json) as { channel: string }).channel

/** What the branch pulls today: 利用解除済, the token revoked, a hard device unusable — at central's time. */
async function applyCompletion(
  ctx: HqContext,
  trx: Knex.Transaction,
  req: Awaited<ReturnType<typeof openRevocation>>,
) {
  const version = await nextVersion(trx)
  const at = ctx.now.toISOString()
  await trx('requests').where({ id: req.id }).update({ state: 'completed', decided_at: at, version })
  await trx('customers')
    .where({ cif: req.cif })
    .update({ otp_status: 'revoked', status_changed_at: at, version })
  if (req.token_uid) {
    const token = await trx('tokens').where({ uid: req.token_uid }).first()
    await trx('tokens').where({ uid: req.token_uid }).update({ state: 'revoked', revoked_at: at, version })
    if (token?.serial) {
      await trx('inventory').where({ serial: token.serial }).update({ state: 'revoked', version })
      await trx('device_events').insert({
        serial: token.serial,
        at,
        event: 'revoked',
        branch_code: req.branch_code,
        actor: actorName(ctx.actor),
      })
    }
  }
}

/**
 * Completes a revocation in one step: a 窓口 revocation by any HQ desk person, or anything from the CLI
 * (scripts run where the database and key are). A 書面 one from the console needs prepare + approve.
 */
export async function completeRevocation(ctx: HqContext, id: string): Promise<void> {
  requireHqRole(ctx.actor, ['hq_operator', 'hq_supervisor'])
  await ctx.db.transaction(async (trx) => {
    const req = await openRevocation(trx, id)
    if (ctx.actor.kind === 'hq' && channelOf(req) === 'paper')
      throw new HqError(
        'SECOND_PERSON_REQUIRED',
        'a paper revocation is prepared, then approved by an HQ supervisor',
      )
    await applyCompletion(ctx, trx, req)
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'revocation.complete',
      entity: 'request',
      entityKey: id,
      before: { state: 'awaiting_central' },
      after: { state: 'completed', cif: req.cif, branch: req.branch_code },
    })
  })
}

/** The first HQ person's half of a 書面 completion. Nothing changes for the branch yet. */
export async function prepareRevocationCompletion(ctx: HqContext, id: string): Promise<void> {
  requireHqRole(ctx.actor, ['hq_operator', 'hq_supervisor'])
  await ctx.db.transaction(async (trx) => {
    const req = await openRevocation(trx, id)
    if (channelOf(req) !== 'paper')
      throw new HqError('NOT_PAPER', 'only a paper revocation is prepared for a second person')
    if (await trx('hq_completions').where({ request_id: id }).first())
      throw new HqError('ALREADY_PREPARED', `revocation ${id} is already prepared`)
    await trx('hq_completions').insert({
      request_id: id,
      prepared_by: actorName(ctx.actor),
      prepared_at: ctx.now.toISOString(),
    })
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'revocation.prepare_completion',
      entity: 'request',
      entityKey: id,
      after: { preparedBy: actorName(ctx.actor) },
    })
  })
}

/** The hq_supervisor's half: a different person from the one who prepared it; then the branch sees 完了. */
export async function approveRevocationCompletion(ctx: HqContext, id: string): Promise<void> {
  requireHqRole(ctx.actor, ['hq_supervisor'])
  await ctx.db.transaction(async (trx) => {
    const req = await openRevocation(trx, id)
    const prepared = await trx('hq_completions').where({ request_id: id }).first()
    if (!prepared) throw new HqError('NOT_PREPARED', `revocation ${id} has not been prepared`)
    if (prepared.prepared_by === actorName(ctx.actor))
      throw new HqError('MAKER_IS_CHECKER', 'the person who prepared a completion cannot approve it')
    await applyCompletion(ctx, trx, req)
    await trx('hq_completions')
      .where({ request_id: id })
      .update({ approved_by: actorName(ctx.actor), approved_at: ctx.now.toISOString() })
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'revocation.approve_completion',
      entity: 'request',
      entityKey: id,
      before: { state: 'awaiting_central', preparedBy: prepared.prepared_by },
      after: { state: 'completed', cif: req.cif, branch: req.branch_code },
    })
  })
}

/** HQ rejects: the customer goes back to the status before the request; the reason travels to the branch. */
export async function rejectRevocation(ctx: HqContext, id: string, reason: string): Promise<void> {
  requireHqRole(ctx.actor, ['hq_operator', 'hq_supervisor'])
  const why = reason.trim()
  if (!why) throw new HqError('VALIDATION', 'a rejection needs a reason', { fields: { reason: 'REQUIRED' } })
  if (why.length > 200)
    throw new HqError('VALIDATION', 'the reason is at most 200 characters', {
      fields: { reason: 'TOO_LONG' },
    })
  await ctx.db.transaction(async (trx) => {
    const req = await openRevocation(trx, id)
    const version = await nextVersion(trx)
    await trx('requests')
      .where({ id })
      .update({ state: 'rejected', decision_reason: why, decided_at: ctx.now.toISOString(), version })
    await trx('customers')
      .where({ cif: req.cif })
      .update({ otp_status: req.prev_status, status_changed_at: ctx.now.toISOString(), version })
    // A preparation of a rejected request is withdrawn with it.
    await trx('hq_completions').where({ request_id: id }).delete()
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'revocation.reject',
      entity: 'request',
      entityKey: id,
      before: { state: 'awaiting_central' },
      after: { state: 'rejected', reason: why, cif: req.cif, branch: req.branch_code },
    })
  })
}
