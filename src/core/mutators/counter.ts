import type { z } from 'zod'
import { changeFor, HARD_TOKEN_FEE_YEN, taxBreakdown } from '../../shared/fees'
import { channelAllowedFor } from '../../shared/revocationChannels'
import { paperDueOn, withdrawalNeedsApproval, type RevocationState } from '../domain/revocationRules'
import { canMove } from '../domain/statusRules'
import { withdrawalNeedsChecker } from '../duties'
import type {
  issueHardArgs,
  revocationApproveArgs,
  revocationRejectArgs,
  revocationRequestArgs,
  revocationWithdrawArgs,
  suspendArgs,
} from './args'
import {
  assertChecker,
  assertCounterActor,
  assertMove,
  assertRevocationMove,
  customerOfBranch,
  type MutationContext,
} from './checks'
import { Rejection } from './rejection'

/** Hard-token issuance with its fee (DOMAIN.md: Hard-token inventory, Fees). */
export async function issueHard(ctx: MutationContext, args: z.output<typeof issueHardArgs>): Promise<void> {
  await assertCounterActor(ctx)
  const { store } = ctx
  const customer = await customerOfBranch(ctx, args.cif)
  const device = await store.device(args.serial)
  if (!device) throw new Rejection('UNKNOWN_SERIAL', `no token ${args.serial}`)
  if (device.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `${args.serial} is not in this branch's stock`)
  if (device.state !== 'in_stock') throw new Rejection('NOT_IN_STOCK', `${args.serial} is ${device.state}`)
  if (!canMove('issueHard', customer.otpStatus))
    throw new Rejection('NOT_ELIGIBLE', `a customer in status ${customer.otpStatus} holds a live token`)
  const fee = args.fee
  if (!fee.receiptNo.startsWith(`${ctx.branchCode}-`))
    throw new Rejection('FORBIDDEN_BRANCH', `receipt ${fee.receiptNo} is not this branch's`)
  if (await store.dayClosed(ctx.actor, fee.businessDate))
    throw new Rejection('DAY_CLOSED', `${ctx.actor} has closed ${fee.businessDate}`)
  // At the branch a rebase re-applies an issuance whose receipt it wrote itself: that one is its own.
  const taken = await store.receipt(fee.receiptNo)
  if (taken && taken.requestId !== args.requestId)
    throw new Rejection('CONFLICT', `receipt ${fee.receiptNo} exists`)
  const expected = fee.method === 'waiver' ? 0 : HARD_TOKEN_FEE_YEN
  if (fee.amountYen !== expected)
    throw new Rejection('VALIDATION', `the fee for ${fee.method} is ${expected} yen, not ${fee.amountYen}`)
  let checker: string | null = null
  if (fee.method === 'waiver') {
    if (!fee.waiverReason) throw new Rejection('VALIDATION', 'a waiver needs a reason')
    checker = await assertChecker(ctx, 'fee.waive', fee.waivedBy, {})
  }
  if (fee.method === 'cash' && (fee.tenderedYen == null || changeFor(expected, fee.tenderedYen) === null))
    throw new Rejection('CASH_SHORT', 'the amount tendered does not cover the fee')
  if (fee.method === 'account_debit') {
    if (!fee.account) throw new Rejection('VALIDATION', 'an account debit names the account')
    if (
      !(await store.debitMade({ receiptNo: fee.receiptNo, account: fee.account, amountYen: fee.amountYen }))
    )
      throw new Rejection('DEBIT_MISSING', `no debit was made for ${fee.receiptNo}`)
  }

  await store.insertRequest({
    id: args.requestId,
    kind: 'hard_issuance',
    cif: args.cif,
    state: 'completed',
    maker: ctx.actor,
    checker,
    prevStatus: customer.otpStatus,
    tokenUid: args.requestId,
    createdAt: ctx.at,
    identity: args.identity,
    detail: { serial: args.serial, receiptNo: fee.receiptNo, method: fee.method },
  })
  await store.insertToken({
    uid: args.requestId,
    cif: args.cif,
    kind: 'hard',
    serial: args.serial,
    state: 'issued',
    issuedAt: args.verifiedAt,
    requestId: args.requestId,
  })
  await store.setDeviceState(args.serial, 'issued', ctx.at)
  await store.insertReceipt({
    receiptNo: fee.receiptNo,
    branchCode: ctx.branchCode,
    businessDate: fee.businessDate,
    staffId: ctx.actor,
    cif: args.cif,
    requestId: args.requestId,
    serial: args.serial,
    method: fee.method,
    amountYen: fee.amountYen,
    taxYen: taxBreakdown(fee.amountYen).taxYen,
    tenderedYen: fee.method === 'cash' ? fee.tenderedYen! : null,
    changeYen: fee.method === 'cash' ? changeFor(expected, fee.tenderedYen!) : null,
    account: fee.method === 'account_debit' ? fee.account! : null,
    waivedBy: checker,
    waiverReason: fee.method === 'waiver' ? fee.waiverReason! : null,
    createdAt: ctx.at,
  })
  await store.setCustomerStatus(args.cif, 'token_issued', ctx.at)
}

/** The live token the request names must still be the customer's live token (no local ids cross the wire). */
async function liveTokenNamed(ctx: MutationContext, cif: string, tokenUid: string | null) {
  const token = await ctx.store.liveToken(cif)
  if (tokenUid && token?.uid !== tokenUid)
    throw new Rejection('CUSTOMER_CHANGED', `the customer's live token is no longer ${tokenUid}`)
  return token
}

/** 緊急停止: effective at once (DOMAIN.md: token_issued, in_use → suspended). */
export async function suspend(ctx: MutationContext, args: z.output<typeof suspendArgs>): Promise<void> {
  await assertCounterActor(ctx)
  const customer = await customerOfBranch(ctx, args.cif)
  assertMove('suspend', customer.otpStatus)
  const token = await liveTokenNamed(ctx, args.cif, args.tokenUid)
  await ctx.store.insertRequest({
    id: args.requestId,
    kind: 'suspension',
    cif: args.cif,
    state: 'completed',
    maker: ctx.actor,
    checker: null,
    prevStatus: customer.otpStatus,
    tokenUid: token?.uid ?? null,
    createdAt: ctx.at,
    reason: args.reason,
    note: args.note ?? null,
  })
  await ctx.store.setCustomerStatus(args.cif, 'suspended', ctx.at)
}

/** Recorded as waiting for a supervisor; the customer's status moves only on approval. */
export async function requestRevocation(
  ctx: MutationContext,
  args: z.output<typeof revocationRequestArgs>,
): Promise<void> {
  await assertCounterActor(ctx)
  const customer = await customerOfBranch(ctx, args.cif)
  if (!canMove('requestRevocation', customer.otpStatus))
    throw new Rejection('INVALID_STATE', `a customer in status ${customer.otpStatus} has no token to revoke`)
  if (await ctx.store.openRevocation(args.cif))
    throw new Rejection('REVOCATION_OPEN', `customer ${args.cif} already has an open revocation`)
  if (args.reason === 'other' && !args.note) throw new Rejection('VALIDATION', 'その他 needs a note')
  if (args.channel === 'paper' && !args.paperForm)
    throw new Rejection('VALIDATION', 'a paper request names its form')
  if (args.channel === 'in_person' && !args.identity)
    throw new Rejection('VALIDATION', 'an in-person request needs the identity check')
  const token = await liveTokenNamed(ctx, args.cif, args.tokenUid)
  // The guide: soft-token customers revoke online themselves; 書面 is for hard tokens.
  if (!channelAllowedFor(args.channel, token?.kind ?? null))
    throw new Rejection('VALIDATION', 'a paper revocation is for a hard token')
  await ctx.store.insertRequest({
    id: args.requestId,
    kind: 'revocation',
    cif: args.cif,
    state: 'awaiting_branch',
    maker: ctx.actor,
    checker: null,
    prevStatus: customer.otpStatus,
    tokenUid: token?.uid ?? null,
    createdAt: ctx.at,
    channel: args.channel,
    reason: args.reason,
    note: args.note ?? null,
    identity: args.identity,
    paperForm: args.paperForm
      ? {
          formNo: args.paperForm.formNo,
          receivedOn: args.paperForm.receivedOn,
          dueOn: paperDueOn(args.paperForm.receivedOn),
          sealChecked: true,
        }
      : null,
  })
}

async function revocationOfBranch(ctx: MutationContext, id: string) {
  const req = await ctx.store.request(id)
  if (!req || req.kind !== 'revocation') throw new Rejection('UNKNOWN_REQUEST', `no revocation ${id}`)
  if (req.branchCode !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `request ${id} is not this branch's`)
  return req
}

/** A supervisor other than the maker approves; refused when the customer moved since the request. */
export async function approveRevocation(
  ctx: MutationContext,
  args: z.output<typeof revocationApproveArgs>,
): Promise<void> {
  await assertCounterActor(ctx)
  const req = await revocationOfBranch(ctx, args.requestId)
  assertRevocationMove('approve', req.state)
  const checker = await assertChecker(ctx, 'revocation.approve', args.checker, { maker: req.maker })
  const customer = await customerOfBranch(ctx, req.cif)
  if (customer.otpStatus !== req.prevStatus || !canMove('approveRevocation', customer.otpStatus))
    throw new Rejection(
      'CUSTOMER_CHANGED',
      `the customer's status changed from ${req.prevStatus} to ${customer.otpStatus} since the request`,
    )
  await ctx.store.decideRequest(req.id, {
    state: 'awaiting_central',
    checker,
    decidedAt: ctx.at,
    decidedBy: checker,
  })
  await ctx.store.setCustomerStatus(req.cif, 'revocation_pending', ctx.at)
}

export async function rejectRevocation(
  ctx: MutationContext,
  args: z.output<typeof revocationRejectArgs>,
): Promise<void> {
  await assertCounterActor(ctx)
  const req = await revocationOfBranch(ctx, args.requestId)
  assertRevocationMove('reject', req.state)
  const checker = await assertChecker(ctx, 'revocation.reject', args.checker, { maker: req.maker })
  await ctx.store.decideRequest(req.id, {
    state: 'rejected',
    checker,
    decidedAt: ctx.at,
    decidedBy: checker,
    decisionReason: args.reason,
  })
}

/**
 * Withdrawn until central completes it. A supervisor must approve when the request was approved, is
 * someone else's, or is about a lost or stolen token (src/core/duties.ts).
 */
export async function withdrawRevocation(
  ctx: MutationContext,
  args: z.output<typeof revocationWithdrawArgs>,
): Promise<void> {
  await assertCounterActor(ctx)
  const req = await revocationOfBranch(ctx, args.requestId)
  assertRevocationMove('withdraw', req.state)
  let checker: string | null = null
  if (withdrawalNeedsChecker({ state: req.state, maker: req.maker, actor: ctx.actor, reason: req.reason })) {
    checker = await assertChecker(ctx, 'revocation.withdraw', args.checker, {})
  }
  if (withdrawalNeedsApproval(req.state as RevocationState)) {
    const customer = await customerOfBranch(ctx, req.cif)
    // An approved request had moved the customer to 利用解除手続中: back to where they were.
    if (customer.otpStatus === 'revocation_pending' && req.prevStatus)
      await ctx.store.setCustomerStatus(req.cif, req.prevStatus, ctx.at)
  }
  await ctx.store.decideRequest(req.id, {
    state: 'withdrawn',
    checker,
    decidedAt: ctx.at,
    decidedBy: checker ?? ctx.actor,
    decisionReason: args.reason,
  })
}
