import { appendHqAudit } from './hqAudit'
import { actorName, requireHqRole } from './hqActor'
import type { HqContext } from './hqContext'
import { HqError } from './hqError'

/**
 * 口座振替 that central settled with the core-banking system but whose receipt has not reached central.
 * The branch pushes the receipt right after the debit, so a young one is normally on its way. Past an
 * hour, if the PC has since sent everything it held (a push whose batch was its whole queue, on central's
 * clock), the customer was charged and no receipt stands for it — the PC lost the debit's answer and the
 * teller took cash instead, or central refused the issuance the receipt belonged to — and HQ refunds or
 * matches it by hand (the core system is not ours to reverse), then records what it did. A PC that has not
 * emptied its queue since the debit may still hold the receipt (it went offline, or it has had nothing else
 * to send since): only an HQ supervisor records those, after the branch has confirmed.
 *
 * Central stamps a debit before asking the core system, and a PC's push reports its queue as it was when
 * the push was built: a push built before the receipt was written can reach central after the debit. So a
 * push counts as "sent since" only when central took it SETTLE_MS after the debit (the PC's debit and
 * push each give up after 30 s).
 */
const SETTLE_MS = 2 * 60 * 1000
export const RECEIPT_EXPECTED_WITHIN_MS = 60 * 60 * 1000

/** Desk work with customers' accounts: the people who handle revocations (not admins). */
const DESK = ['hq_operator', 'hq_supervisor'] as const

export type UnmatchedDebitState = 'waiting' | 'notSent' | 'overdue'

export interface UnmatchedDebit {
  receiptNo: string
  branch: string
  workstationNo: string | null
  workstationName: string
  cif: string
  account: string
  amountYen: number
  debitedAt: string
  /** waiting: under an hour old; notSent: the PC has not sent all its work since; overdue: HQ must act. */
  state: UnmatchedDebitState
  /** When the PC last reached central (for notSent). */
  lastSeenAt: string | null
}

export async function listUnmatchedDebits(ctx: HqContext): Promise<UnmatchedDebit[]> {
  requireHqRole(ctx.actor, DESK)
  const expectedBy = new Date(ctx.now.getTime() - RECEIPT_EXPECTED_WITHIN_MS).toISOString()
  const rows = await ctx
    .db('debits as d')
    .leftJoin('receipts as r', 'r.receipt_no', 'd.receipt_no')
    .leftJoin('debit_resolutions as x', 'x.receipt_no', 'd.receipt_no')
    .leftJoin('clients as c', 'c.client_id', 'd.client_id')
    .whereNull('r.receipt_no')
    .whereNull('x.receipt_no')
    .orderBy('d.debited_at')
    .limit(500)
    .select('d.*', 'c.workstation_no', 'c.workstation_name', 'c.queue_emptied_at', 'c.last_seen_at')
  return rows.map((r) => {
    const debitedAt = String(r.debited_at)
    return {
      receiptNo: String(r.receipt_no),
      branch: String(r.branch_code),
      workstationNo: r.workstation_no ?? null,
      workstationName: String(r.workstation_name ?? ''),
      cif: String(r.cif),
      account: String(r.account),
      amountYen: Number(r.amount_yen),
      debitedAt,
      state: stateOf(debitedAt, r.queue_emptied_at ?? null, expectedBy),
      lastSeenAt: r.last_seen_at ?? null,
    }
  })
}

function stateOf(debitedAt: string, queueEmptiedAt: string | null, expectedBy: string): UnmatchedDebitState {
  if (debitedAt >= expectedBy) return 'waiting'
  // Central's own ISO timestamps in UTC compare as strings.
  const settled = new Date(Date.parse(debitedAt) + SETTLE_MS).toISOString()
  return queueEmptiedAt !== null && queueEmptiedAt > settled ? 'overdue' : 'notSent'
}

/** HQ records what it did about one (refunded it, or matched it with a receipt by hand); it leaves the list. */
export async function resolveUnmatchedDebit(
  ctx: HqContext,
  receiptNo: string,
  input: { how: 'refunded' | 'matched'; note: string },
): Promise<void> {
  requireHqRole(ctx.actor, DESK)
  await ctx.db.transaction(async (trx) => {
    // The debit's row is locked: a push bringing its receipt (which reads it, src/central/store.ts) and a
    // second HQ person wait for this decision, then see it.
    const debit = await trx('debits').where({ receipt_no: receiptNo }).forUpdate().first()
    if (!debit) throw new HqError('NOT_FOUND', `no debit for receipt ${receiptNo}`)
    if (await trx('receipts').where({ receipt_no: receiptNo }).first())
      throw new HqError('RECEIPT_ARRIVED', `the receipt ${receiptNo} has reached central`)
    if (await trx('debit_resolutions').where({ receipt_no: receiptNo }).first())
      throw new HqError('ALREADY_RESOLVED', `the debit for ${receiptNo} is already resolved`)
    const client = await trx('clients').where({ client_id: debit.client_id }).first('queue_emptied_at')
    const expectedBy = new Date(ctx.now.getTime() - RECEIPT_EXPECTED_WITHIN_MS).toISOString()
    const state = stateOf(String(debit.debited_at), client?.queue_emptied_at ?? null, expectedBy)
    if (state === 'waiting')
      throw new HqError('RECEIPT_EXPECTED', `the receipt ${receiptNo} may still be on its way`)
    if (state === 'notSent' && !(ctx.actor.kind === 'hq' && ctx.actor.role === 'hq_supervisor'))
      throw new HqError('BRANCH_CONFIRMATION_REQUIRED', `the PC has not sent its work since the debit`)
    await trx('debit_resolutions').insert({
      receipt_no: receiptNo,
      how: input.how,
      note: input.note,
      resolved_by: actorName(ctx.actor),
      resolved_at: ctx.now.toISOString(),
    })
    await appendHqAudit(trx, ctx.actor, ctx.now, {
      action: 'debit.resolve',
      entity: 'debit',
      entityKey: receiptNo,
      after: {
        how: input.how,
        note: input.note,
        branch: debit.branch_code,
        cif: debit.cif,
        amountYen: Number(debit.amount_yen),
      },
    })
  })
}
