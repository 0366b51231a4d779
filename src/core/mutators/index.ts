import type { z } from 'zod'
import type { MutationName } from '../../shared/syncProtocol'
import * as args from './args'
import type { MutationContext } from './checks'
import {
  approveRevocation,
  issueHard,
  rejectRevocation,
  requestRevocation,
  suspend,
  withdrawRevocation,
} from './counter'
import { closeDay, voidFee } from './fees'
import { Rejection } from './rejection'
import { changePassword, enrolTotp, writeOff } from './stockAndStaff'

export { Rejection } from './rejection'
export type { MutationContext } from './checks'
export type { MutatorStore } from './store'

/**
 * Each mutation kind defined once (SYNC-PROTOCOL.md; Replicache's mutators): its argument schema and the
 * rule that applies it. The branch applies it optimistically at the counter and again when it rebases
 * pending work over a pull; central applies it authoritatively.
 */
export interface Mutator<S extends z.ZodType = z.ZodType> {
  args: S
  apply(ctx: MutationContext, args: z.output<S>): Promise<void>
  /** Argument fields holding a secret: sealed in the branch's outbox at rest, opened only for the wire. */
  secretArgs?: readonly string[]
}

function mutator<S extends z.ZodType>(
  schema: S,
  apply: (ctx: MutationContext, args: z.output<S>) => Promise<void>,
  secretArgs?: readonly string[],
): Mutator {
  return { args: schema, apply: apply as Mutator['apply'], ...(secretArgs ? { secretArgs } : {}) }
}

export const MUTATORS: Record<MutationName, Mutator> = {
  'token.issue_hard': mutator(args.issueHardArgs, issueHard),
  'token.suspend': mutator(args.suspendArgs, suspend),
  'revocation.request': mutator(args.revocationRequestArgs, requestRevocation),
  'revocation.approve': mutator(args.revocationApproveArgs, approveRevocation),
  'revocation.reject': mutator(args.revocationRejectArgs, rejectRevocation),
  'revocation.withdraw': mutator(args.revocationWithdrawArgs, withdrawRevocation),
  'fee.void': mutator(args.feeVoidArgs, voidFee),
  'ledger.close_day': mutator(args.closeDayArgs, closeDay),
  'inventory.write_off': mutator(args.writeOffArgs, writeOff),
  'staff.change_password': mutator(args.changePasswordArgs, changePassword, [
    'passwordHash',
    'currentPassword',
  ]),
  'staff.enrol_totp': mutator(args.enrolTotpArgs, enrolTotp, ['totpSecret', 'currentPassword']),
}

export function isMutationName(name: string): name is MutationName {
  return Object.prototype.hasOwnProperty.call(MUTATORS, name)
}

/** Parses the arguments with the mutation's schema, then applies its rule. Every refusal is a Rejection. */
export async function applyMutation(ctx: MutationContext, name: string, rawArgs: unknown): Promise<void> {
  if (!isMutationName(name)) throw new Rejection('UNKNOWN_MUTATION', `no mutation ${name}`)
  const def = MUTATORS[name]
  const parsed = def.args.safeParse(rawArgs)
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(args)').join(', ')
    throw new Rejection('VALIDATION', `malformed arguments: ${where}`)
  }
  await def.apply(ctx, parsed.data)
}
