import type { Knex } from 'knex'

/**
 * The core-banking port (issue 8: 口座振替 for real): central asks the bank's account system to move the
 * fee out of the customer's account. The demo implementation keeps balances in `core_accounts`.
 */
export type DebitOutcome =
  { ok: true } | { ok: false; code: 'INSUFFICIENT_FUNDS' | 'ACCOUNT_CLOSED' | 'UNKNOWN_ACCOUNT' }

export interface CoreBanking {
  /** Debits inside the caller's transaction, so the debit and central's record of it commit together. */
  debit(
    trx: Knex.Transaction,
    input: { account: string; cif: string; amountYen: number },
  ): Promise<DebitOutcome>
}

export class DemoCoreBanking implements CoreBanking {
  async debit(
    trx: Knex.Transaction,
    input: { account: string; cif: string; amountYen: number },
  ): Promise<DebitOutcome> {
    const account = await trx('core_accounts').where({ account: input.account }).forUpdate().first()
    if (!account || account.cif !== input.cif) return { ok: false, code: 'UNKNOWN_ACCOUNT' }
    if (account.closed) return { ok: false, code: 'ACCOUNT_CLOSED' }
    if (Number(account.balance_yen) < input.amountYen) return { ok: false, code: 'INSUFFICIENT_FUNDS' }
    await trx('core_accounts').where({ account: input.account }).decrement('balance_yen', input.amountYen)
    return { ok: true }
  }
}

/**
 * Demo balances for the demo bank's accounts: most hold plenty, every 17th holds less than the fee and
 * every 23rd is closed, so both refusals can be tried at the counter.
 */
export function demoCoreAccountRows(
  customers: { cif: string; accounts: { branchCode: string; subject: string; number: string }[] }[],
) {
  const rows: { account: string; cif: string; balance_yen: number; closed: boolean }[] = []
  let i = 0
  for (const c of customers) {
    for (const a of c.accounts) {
      i += 1
      rows.push({
        account: `${a.branchCode}-${a.subject}-${a.number}`,
        cif: c.cif,
        balance_yen: i % 17 === 0 ? 500 : 50_000 + (i % 7) * 10_000,
        closed: i % 23 === 0,
      })
    }
  }
  return rows
}
