import type { OtpStatus } from '../../shared/domain'
import { canMove, type Move } from '../domain/statusRules'
import { canMoveRevocation, type RevocationMove, type RevocationState } from '../domain/revocationRules'
import { dutyConflict, type DutyName, type Party } from '../duties'
import { Rejection } from './rejection'
import type { MutatorStore } from './store'

/** Where a mutator runs and for whom (SYNC-PROTOCOL.md: the branch applies optimistically, central authoritatively). */
export interface MutationContext {
  store: MutatorStore
  branchCode: string
  actor: string
  /** The time of applying: the branch's clock at the counter, central's own time at central. */
  at: string
  side: 'branch' | 'central'
}

export async function customerOfBranch(ctx: MutationContext, cif: string) {
  const customer = await ctx.store.customer(cif)
  if (!customer) throw new Rejection('UNKNOWN_CUSTOMER', `no customer ${cif}`)
  if (customer.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `customer ${cif} is not this branch's`)
  return customer
}

export function assertMove(move: Move, status: OtpStatus): void {
  if (!canMove(move, status)) throw new Rejection('INVALID_STATE', `${move} is not allowed from ${status}`)
}

export function assertRevocationMove(move: RevocationMove, state: string): void {
  if (!canMoveRevocation(move, state as RevocationState))
    throw new Rejection('INVALID_STATE', `a ${state} request cannot take ${move}`)
}

/**
 * Central re-checks who did the work: a staff member of this branch whose role may do counter work.
 * The branch's services checked the session already, and a rebase must not depend on today's staff list.
 */
export async function assertCounterActor(ctx: MutationContext): Promise<void> {
  if (ctx.side !== 'central') return
  const staff = await ctx.store.staff(ctx.actor)
  if (!staff) throw new Rejection('UNKNOWN_STAFF', `no staff ${ctx.actor}`)
  if (staff.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `staff ${ctx.actor} is not this branch's`)
  if (staff.role === 'admin') throw new Rejection('FORBIDDEN', `${ctx.actor} is an admin: no counter work`)
}

/**
 * DOMAIN.md: the checker is an active supervisor of the same branch, and not one of the parties the
 * duties table names (maker ≠ checker, and for a void not the teller who took the fee either).
 */
export async function assertChecker(
  ctx: MutationContext,
  duty: DutyName,
  checker: string | undefined,
  parties: Partial<Record<Party, string | null | undefined>>,
): Promise<string> {
  if (!checker) throw new Rejection('APPROVAL_REQUIRED', 'a supervisor must approve this')
  const conflict = dutyConflict(duty, checker, { actor: ctx.actor, ...parties })
  if (conflict) throw new Rejection('MAKER_IS_CHECKER', `the checker cannot be the ${conflict}`)
  const staff = await ctx.store.staff(checker)
  if (!staff) throw new Rejection('UNKNOWN_STAFF', `no staff ${checker}`)
  if (staff.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `staff ${checker} is not this branch's`)
  if (staff.role !== 'supervisor' || !staff.active)
    throw new Rejection('CHECKER_NOT_SUPERVISOR', `${checker} is not an active supervisor`)
  return checker
}
