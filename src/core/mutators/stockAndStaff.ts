import type { z } from 'zod'
import type { changePasswordArgs, enrolTotpArgs, writeOffArgs } from './args'
import { assertChecker, assertCounterActor, type MutationContext } from './checks'
import { verifyPassword } from '../security/passwords'
import { Rejection } from './rejection'

/** A device written off as defective, with a supervisor's approval; its seed is no longer needed. */
export async function writeOff(ctx: MutationContext, args: z.output<typeof writeOffArgs>): Promise<void> {
  await assertCounterActor(ctx)
  const device = await ctx.store.device(args.serial)
  if (!device) throw new Rejection('UNKNOWN_SERIAL', `no token ${args.serial}`)
  if (device.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `${args.serial} is not this branch's`)
  if (device.state !== 'in_stock') throw new Rejection('NOT_IN_STOCK', `${args.serial} is ${device.state}`)
  await assertChecker(ctx, 'inventory.write_off', args.checker, {})
  await ctx.store.setDeviceState(args.serial, 'defective', ctx.at)
}

/** Only the person themself changes their password or enrols their authenticator, at any PC of their branch. */
async function ownStaff(ctx: MutationContext, staffId: string) {
  if (staffId !== ctx.actor) throw new Rejection('FORBIDDEN', 'staff change only their own credentials')
  const staff = await ctx.store.staff(staffId)
  if (!staff) throw new Rejection('UNKNOWN_STAFF', `no staff ${staffId}`)
  if (staff.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `staff ${staffId} is not this branch's`)
  if (!staff.active) throw new Rejection('FORBIDDEN', `${staffId} is disabled`)
  return staff
}

/**
 * Central checks the password being replaced against its own hash: a PC cannot set anyone's password by
 * naming them as the actor, and a change made before HQ's reset no longer applies after it.
 */
export async function changePassword(
  ctx: MutationContext,
  args: z.output<typeof changePasswordArgs>,
): Promise<void> {
  const staff = await ownStaff(ctx, args.staffId)
  if (ctx.side === 'central' && !(await verifyPassword(args.currentPassword, staff.passwordHash)))
    throw new Rejection('STALE_PASSWORD', 'the password being replaced is not the current one')
  await ctx.store.setPassword(args.staffId, args.passwordHash, args.changedAt)
}

/**
 * The actor is not proof: a PC names whoever it likes. Central checks the supervisor's password against
 * its own hash, so a modified PC cannot enrol a secret of its choosing and then forge their approvals.
 */
export async function enrolTotp(ctx: MutationContext, args: z.output<typeof enrolTotpArgs>): Promise<void> {
  const staff = await ownStaff(ctx, args.staffId)
  if (staff.role !== 'supervisor')
    throw new Rejection('FORBIDDEN', 'only supervisors approve with an authenticator')
  if (ctx.side === 'central' && !(await verifyPassword(args.currentPassword, staff.passwordHash)))
    throw new Rejection('STALE_PASSWORD', 'the password given is not the current one')
  await ctx.store.setAuthenticator(args.staffId, args.totpSecret, args.enrolledAt)
}
