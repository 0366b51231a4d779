import { requireHqRole } from './hqActor'
import type { HqContext } from './hqContext'

/**
 * 口座振替 that central settled with the core-banking system but whose receipt has not reached central.
 * The branch pushes the receipt right after the debit, so a young one is normally on its way; one older
 * than an hour means the customer was charged and no receipt stands for it — the PC lost the debit's
 * answer and the teller took cash instead, or central refused the issuance the receipt belonged to.
 * HQ then refunds or matches it by hand (the core system is not ours to reverse).
 */
export const RECEIPT_EXPECTED_WITHIN_MS = 60 * 60 * 1000

export interface UnmatchedDebit {
  receiptNo: string
  branch: string
  workstationNo: string | null
  workstationName: string
  cif: string
  account: string
  amountYen: number
  debitedAt: string
  /** Older than an hour: HQ must act. Younger: the receipt may still be on its way. */
  overdue: boolean
}

export async function listUnmatchedDebits(ctx: HqContext): Promise<UnmatchedDebit[]> {
  requireHqRole(ctx.actor, ['hq_operator', 'hq_supervisor', 'hq_admin'])
  const expectedBy = new Date(ctx.now.getTime() - RECEIPT_EXPECTED_WITHIN_MS).toISOString()
  const rows = await ctx
    .db('debits as d')
    .leftJoin('receipts as r', 'r.receipt_no', 'd.receipt_no')
    .leftJoin('clients as c', 'c.client_id', 'd.client_id')
    .whereNull('r.receipt_no')
    .orderBy('d.debited_at')
    .limit(500)
    .select('d.*', 'c.workstation_no', 'c.workstation_name')
  return rows.map((r) => ({
    receiptNo: String(r.receipt_no),
    branch: String(r.branch_code),
    workstationNo: r.workstation_no ?? null,
    workstationName: String(r.workstation_name ?? ''),
    cif: String(r.cif),
    account: String(r.account),
    amountYen: Number(r.amount_yen),
    debitedAt: String(r.debited_at),
    overdue: String(r.debited_at) < expectedBy,
  }))
}
