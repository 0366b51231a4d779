import type { Knex } from 'knex'
import { taxBreakdown } from '../../shared/fees'

/** Receipts with their void state, as the ledger and the customer file list them. */
export async function listReceipts(
  db: Knex | Knex.Transaction,
  where: { cif?: string; staffId?: string; businessDate?: string },
) {
  const q = db('receipts as r')
    .leftJoin('ledger_entries as v', function () {
      this.on('v.receipt_no', '=', 'r.receipt_no').andOnVal('v.kind', '=', 'void')
    })
    .select('r.*', 'v.id as void_id')
    .orderBy('r.receipt_no', 'desc')
  if (where.cif) q.where('r.cif', where.cif)
  if (where.staffId) q.where('r.staff_id', where.staffId)
  if (where.businessDate) q.where('r.business_date', where.businessDate)
  const rows = await q
  return rows.map((r) => ({
    receiptNo: r.receipt_no as string,
    businessDate: r.business_date as string,
    staffId: r.staff_id as string,
    cif: r.cif as string,
    serial: (r.serial ?? null) as string | null,
    method: r.method as 'cash' | 'account_debit' | 'waiver',
    amountYen: r.amount_yen as number,
    taxYen: r.tax_yen as number,
    createdAt: r.created_at as string,
    voided: r.void_id !== null,
  }))
}

/** The printable receipt. */
export async function receiptDocument(db: Knex | Knex.Transaction, receiptNo: string) {
  const r = await db('receipts').where({ receipt_no: receiptNo }).first()
  if (!r) return null
  const voidEntry = await db('ledger_entries').where({ receipt_no: receiptNo, kind: 'void' }).first()
  const branch = await db('branches').where({ code: r.branch_code }).first()
  const staff = await db('staff').where({ staff_id: r.staff_id }).first()
  const customer = await db('customers').where({ cif: r.cif }).first()
  const bank = await db('settings').where({ key: 'bank_name' }).first()
  return {
    receiptNo: r.receipt_no,
    businessDate: r.business_date,
    staffId: r.staff_id,
    cif: r.cif,
    serial: r.serial ?? null,
    method: r.method,
    amountYen: r.amount_yen,
    taxYen: r.tax_yen,
    netYen: taxBreakdown(r.amount_yen).netYen,
    createdAt: r.created_at,
    voided: Boolean(voidEntry),
    voidReason: voidEntry?.reason ?? null,
    bankName: bank?.value ?? '',
    branchCode: r.branch_code,
    branchName: branch?.name ?? '',
    staffName: staff?.name ?? r.staff_id,
    customerName: customer?.name_kanji ?? '',
    tenderedYen: r.tendered_yen ?? null,
    changeYen: r.change_yen ?? null,
    waivedBy: r.waived_by ?? null,
    waiverReason: r.waiver_reason ?? null,
  }
}
