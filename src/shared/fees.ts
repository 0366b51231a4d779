/**
 * 手数料 (DOMAIN.md: Fees): 1,100 yen including 10% consumption tax for every hard-token issuance,
 * re-issues included.
 */
export const HARD_TOKEN_FEE_YEN = 1100
/** 消費税 10%, kept as a whole percentage so the arithmetic stays in integers. */
export const CONSUMPTION_TAX_PERCENT = 10

/** Splits a tax-inclusive amount into net and tax; the tax is rounded down, as receipts show it. */
export function taxBreakdown(grossYen: number): { netYen: number; taxYen: number; grossYen: number } {
  if (!Number.isInteger(grossYen) || grossYen < 0)
    throw new RangeError('amount must be a whole number of yen')
  const taxYen = Math.floor((grossYen * CONSUMPTION_TAX_PERCENT) / (100 + CONSUMPTION_TAX_PERCENT))
  return { netYen: grossYen - taxYen, taxYen, grossYen }
}

/** Change for a cash payment, or null when the amount tendered does not cover the fee. */
export function changeFor(feeYen: number, tenderedYen: number): number | null {
  return tenderedYen >= feeYen ? tenderedYen - feeYen : null
}
