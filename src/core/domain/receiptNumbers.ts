/**
 * Receipt numbers (DOMAIN.md, docs/domain.md): `{branch}-{ws}-{yyyymmdd}-{seq4}`, where `ws` is the PC's
 * workstation number within its branch, so every PC numbers its own receipts and the number is unique
 * bank-wide without asking central. `seq4` restarts each business date per PC.
 */
export function receiptNumber(
  branchCode: string,
  workstationNo: string,
  businessDate: string,
  seq: number,
): string {
  if (!/^\d{3}$/.test(branchCode)) throw new RangeError('branch code is 3 digits')
  if (!/^\d{2}$/.test(workstationNo)) throw new RangeError('workstation number is 2 digits')
  if (!/^\d{4}-\d{2}-\d{2}$/.test(businessDate)) throw new RangeError('business date is YYYY-MM-DD')
  if (!Number.isInteger(seq) || seq < 1 || seq > 9999) throw new RangeError('receipt sequence is 1 to 9999')
  return `${branchCode}-${workstationNo}-${businessDate.replaceAll('-', '')}-${String(seq).padStart(4, '0')}`
}

/** The prefix every receipt of one PC and business date shares. */
export function receiptPrefix(branchCode: string, workstationNo: string, businessDate: string): string {
  return `${branchCode}-${workstationNo}-${businessDate.replaceAll('-', '')}-`
}

export const RECEIPT_NUMBER_PATTERN = /^\d{3}-\d{2}-\d{8}-\d{4}$/

/** A PC that was never enrolled (demo mode) numbers its receipts as workstation 00. */
export const UNENROLLED_WORKSTATION = '00'
