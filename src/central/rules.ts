import type { Knex } from 'knex'
import type { OtpStatus } from '../shared/domain'
import { canMove } from '../core/domain/statusRules'

/** A business refusal: final, recorded as `rejected` with this code; lastMutationId still advances. */
export class Rejection extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface MutationContext {
  trx: Knex.Transaction
  branchCode: string
  actor: string
  version: number
}

export async function customerOfBranch(ctx: MutationContext, cif: unknown) {
  const customer = await ctx
    .trx('customers')
    .where({ cif: String(cif) })
    .first()
  if (!customer) throw new Rejection('UNKNOWN_CUSTOMER', `no customer ${String(cif)}`)
  if (customer.branch_code !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `customer ${customer.cif} is not this branch's`)
  return customer as { cif: string; otp_status: OtpStatus }
}

export function assertMove(move: Parameters<typeof canMove>[0], status: OtpStatus): void {
  if (!canMove(move, status)) throw new Rejection('INVALID_STATE', `${move} is not allowed from ${status}`)
}

/** DOMAIN.md: maker ≠ checker, and the checker is a supervisor of that branch — checked at central too. */
export async function assertChecker(ctx: MutationContext, checker: unknown, maker: string): Promise<string> {
  if (typeof checker !== 'string' || !checker)
    throw new Rejection('CHECKER_REQUIRED', 'an approval names its checker')
  if (checker === maker) throw new Rejection('MAKER_IS_CHECKER', 'the maker cannot approve their own work')
  const staff = await ctx.trx('staff').where({ staff_id: checker }).first()
  if (!staff) throw new Rejection('UNKNOWN_STAFF', `no staff ${checker}`)
  if (staff.branch_code !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `staff ${checker} is not this branch's`)
  if (staff.role !== 'supervisor')
    throw new Rejection('CHECKER_NOT_SUPERVISOR', `${checker} is not a supervisor`)
  return checker
}

export async function setCustomerStatus(
  ctx: MutationContext,
  cif: string,
  status: OtpStatus,
  at: string,
): Promise<void> {
  await ctx
    .trx('customers')
    .where({ cif })
    .update({ otp_status: status, status_changed_at: at, version: ctx.version })
}

export async function liveTokenUid(trx: Knex.Transaction, cif: string): Promise<string | null> {
  const token = await trx('tokens')
    .where({ cif })
    .whereIn('state', ['issued', 'active'])
    .orderBy('issued_at', 'desc')
    .first('uid')
  return token?.uid ?? null
}
