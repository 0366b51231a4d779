/** Receipt numbers (DOMAIN.md): `{branch}-{yyyymmdd}-{seq4}`, unique per branch and business date. */
export function receiptNumber(branchCode: string, businessDate: string, seq: number): string {
  if (!/^\d{3}$/.test(branchCode)) throw new RangeError('branch code is 3 digits')
  if (!/^\d{4}-\d{2}-\d{2}$/.test(businessDate)) throw new RangeError('business date is YYYY-MM-DD')
  if (!Number.isInteger(seq) || seq < 1 || seq > 9999) throw new RangeError('receipt sequence is 1 to 9999')
  return `${branchCode}-${businessDate.replaceAll('-', '')}-${String(seq).padStart(4, '0')}`
}

export const RECEIPT_NUMBER_PATTERN = /^\d{3}-\d{8}-\d{4}$/
