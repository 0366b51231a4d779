import type { z } from 'zod'
import type { closeDayArgs, feeVoidArgs } from './args'
import { assertChecker, assertCounterActor, type MutationContext } from './checks'
import { Rejection } from './rejection'

/** 取消: approved by a supervisor who neither asks for it nor took the fee (src/core/duties.ts). */
export async function voidFee(ctx: MutationContext, args: z.output<typeof feeVoidArgs>): Promise<void> {
  await assertCounterActor(ctx)
  const receipt = await ctx.store.receipt(args.receiptNo)
  if (!receipt) throw new Rejection('UNKNOWN_RECEIPT', `no receipt ${args.receiptNo}`)
  if (receipt.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', 'not this branch’s receipt')
  if (receipt.voided) throw new Rejection('ALREADY_VOIDED', `receipt ${args.receiptNo} is already voided`)
  if (await ctx.store.dayClosed(receipt.staffId, receipt.businessDate))
    throw new Rejection('DAY_CLOSED', `the day of receipt ${args.receiptNo} is closed`)
  const checker = await assertChecker(ctx, 'fee.void', args.checker, { feeTaker: receipt.staffId })
  await ctx.store.voidReceipt(receipt.receiptNo, { checker, reason: args.reason, at: ctx.at })
}

/** 締め: a teller closes their own day; a supervisor other than the teller approves. */
export async function closeDay(ctx: MutationContext, args: z.output<typeof closeDayArgs>): Promise<void> {
  await assertCounterActor(ctx)
  const staff = await ctx.store.staff(args.staffId)
  if (!staff || staff.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `staff ${args.staffId} is not this branch's`)
  if (args.staffId !== ctx.actor) throw new Rejection('FORBIDDEN', 'a teller closes their own day')
  const checker = await assertChecker(ctx, 'ledger.close_day', args.checker, { dayOwner: args.staffId })
  if (await ctx.store.dayClosed(args.staffId, args.businessDate))
    throw new Rejection('DAY_CLOSED', `${args.businessDate} is already closed for ${args.staffId}`)
  if (args.countedYen !== args.expectedYen && !args.note)
    throw new Rejection('VALIDATION', 'a cash difference needs a note')
  await ctx.store.insertDayClose({
    staffId: args.staffId,
    businessDate: args.businessDate,
    expectedYen: args.expectedYen,
    countedYen: args.countedYen,
    note: args.note ?? null,
    checker,
    closedAt: ctx.at,
  })
}
