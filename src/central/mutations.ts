import {
  canMoveRevocation,
  withdrawalNeedsApproval,
  type RevocationState,
} from '../core/domain/revocationRules'
import {
  assertChecker,
  assertMove,
  customerOfBranch,
  liveTokenUid,
  Rejection,
  setCustomerStatus,
  type MutationContext,
} from './rules'

type Args = Record<string, unknown>
type Handler = (ctx: MutationContext, args: Args, at: string) => Promise<void>

async function requestOfBranch(ctx: MutationContext, id: unknown) {
  const req = await ctx
    .trx('requests')
    .where({ id: String(id) })
    .first()
  if (!req) throw new Rejection('UNKNOWN_REQUEST', `no request ${String(id)}`)
  if (req.branch_code !== ctx.branchCode)
    throw new Rejection('FORBIDDEN_BRANCH', `request ${req.id} is not this branch's`)
  return req
}

function assertRevocationMove(move: Parameters<typeof canMoveRevocation>[0], state: RevocationState): void {
  if (!canMoveRevocation(move, state))
    throw new Rejection('INVALID_STATE', `a ${state} request cannot take ${move}`)
}

/** SYNC-PROTOCOL.md mutations, each re-checking DOMAIN.md's rules against central's own state. */
export const MUTATIONS: Record<string, Handler> = {
  async 'token.issue_hard'(ctx, args, at) {
    const customer = await customerOfBranch(ctx, args['cif'])
    const serial = String(args['serial'])
    const device = await ctx.trx('inventory').where({ serial }).first()
    if (!device) throw new Rejection('UNKNOWN_SERIAL', `no token ${serial}`)
    if (device.branch_code !== ctx.branchCode)
      throw new Rejection('FORBIDDEN_BRANCH', `${serial} is not in this branch's stock`)
    if (device.state !== 'in_stock') throw new Rejection('NOT_IN_STOCK', `${serial} is ${device.state}`)
    assertMove('issueHard', customer.otp_status)
    const fee = (args['fee'] ?? {}) as Args
    if (fee['method'] === 'waiver') await assertChecker(ctx, fee['waivedBy'], ctx.actor)
    const requestId = String(args['requestId'])
    const issuedAt = typeof args['verifiedAt'] === 'string' ? args['verifiedAt'] : at
    await ctx.trx('inventory').where({ serial }).update({ state: 'issued', version: ctx.version })
    await ctx.trx('tokens').insert({
      uid: requestId,
      cif: customer.cif,
      kind: 'hard',
      serial,
      state: 'issued',
      issued_at: issuedAt,
      version: ctx.version,
    })
    await ctx.trx('requests').insert({
      id: requestId,
      kind: 'hard_issuance',
      cif: customer.cif,
      branch_code: ctx.branchCode,
      state: 'completed',
      maker: ctx.actor,
      checker: (fee['waivedBy'] as string | undefined) ?? null,
      token_uid: requestId,
      detail_json: JSON.stringify({ serial, receiptNo: fee['receiptNo'], method: fee['method'] }),
      version: ctx.version,
    })
    await ctx.trx('receipts').insert({
      receipt_no: String(fee['receiptNo']),
      branch_code: ctx.branchCode,
      method: String(fee['method']),
      amount_yen: Number(fee['amountYen'] ?? 0),
      staff_id: ctx.actor,
    })
    await setCustomerStatus(ctx, customer.cif, 'token_issued', at)
  },

  async 'token.suspend'(ctx, args, at) {
    const customer = await customerOfBranch(ctx, args['cif'])
    assertMove('suspend', customer.otp_status)
    await ctx.trx('requests').insert({
      id: String(args['requestId']),
      kind: 'suspension',
      cif: customer.cif,
      branch_code: ctx.branchCode,
      state: 'completed',
      maker: ctx.actor,
      prev_status: customer.otp_status,
      token_uid: await liveTokenUid(ctx.trx, customer.cif),
      detail_json: JSON.stringify({ reason: args['reason'] }),
      version: ctx.version,
    })
    await setCustomerStatus(ctx, customer.cif, 'suspended', at)
  },

  async 'revocation.request'(ctx, args) {
    const customer = await customerOfBranch(ctx, args['cif'])
    assertMove('requestRevocation', customer.otp_status)
    const open = await ctx
      .trx('requests')
      .where({ cif: customer.cif, kind: 'revocation' })
      .whereIn('state', ['awaiting_branch', 'awaiting_central'])
      .first()
    if (open)
      throw new Rejection('REVOCATION_OPEN', `customer ${customer.cif} already has an open revocation`)
    await ctx.trx('requests').insert({
      id: String(args['requestId']),
      kind: 'revocation',
      cif: customer.cif,
      branch_code: ctx.branchCode,
      state: 'awaiting_branch',
      maker: ctx.actor,
      prev_status: customer.otp_status,
      token_uid: await liveTokenUid(ctx.trx, customer.cif),
      detail_json: JSON.stringify({
        channel: args['channel'],
        reason: args['reason'],
        note: args['note'] ?? null,
        paperForm: args['paperForm'] ?? null,
      }),
      version: ctx.version,
    })
  },

  async 'revocation.approve'(ctx, args, at) {
    const req = await requestOfBranch(ctx, args['requestId'])
    assertRevocationMove('approve', req.state)
    const checker = await assertChecker(ctx, args['checker'], req.maker)
    const customer = await customerOfBranch(ctx, req.cif)
    if (customer.otp_status !== req.prev_status)
      throw new Rejection('CUSTOMER_CHANGED', 'the customer changed since the request')
    await ctx
      .trx('requests')
      .where({ id: req.id })
      .update({ state: 'awaiting_central', checker, version: ctx.version })
    await setCustomerStatus(ctx, req.cif, 'revocation_pending', at)
  },

  async 'revocation.reject'(ctx, args) {
    const req = await requestOfBranch(ctx, args['requestId'])
    assertRevocationMove('reject', req.state)
    const checker = await assertChecker(ctx, args['checker'], req.maker)
    await ctx
      .trx('requests')
      .where({ id: req.id })
      .update({
        state: 'rejected',
        checker,
        decision_reason: String(args['reason'] ?? ''),
        version: ctx.version,
      })
  },

  async 'revocation.withdraw'(ctx, args, at) {
    const req = await requestOfBranch(ctx, args['requestId'])
    assertRevocationMove('withdraw', req.state)
    if (withdrawalNeedsApproval(req.state)) {
      await assertChecker(ctx, args['checker'], ctx.actor)
      await setCustomerStatus(ctx, req.cif, req.prev_status, at)
    }
    await ctx
      .trx('requests')
      .where({ id: req.id })
      .update({ state: 'withdrawn', decision_reason: String(args['reason'] ?? ''), version: ctx.version })
  },

  async 'fee.void'(ctx, args) {
    const receipt = await ctx
      .trx('receipts')
      .where({ receipt_no: String(args['receiptNo']) })
      .first()
    if (!receipt) throw new Rejection('UNKNOWN_RECEIPT', `no receipt ${String(args['receiptNo'])}`)
    if (receipt.branch_code !== ctx.branchCode)
      throw new Rejection('FORBIDDEN_BRANCH', 'not this branch’s receipt')
    if (receipt.voided_by) throw new Rejection('ALREADY_VOIDED', 'already voided')
    const checker = await assertChecker(ctx, args['checker'], ctx.actor)
    await ctx
      .trx('receipts')
      .where({ receipt_no: receipt.receipt_no })
      .update({ voided_by: checker, void_reason: String(args['reason'] ?? '') })
  },

  async 'ledger.close_day'(ctx, args) {
    const staffId = String(args['staffId'])
    const staff = await ctx.trx('staff').where({ staff_id: staffId }).first()
    if (!staff || staff.branch_code !== ctx.branchCode)
      throw new Rejection('FORBIDDEN_BRANCH', `staff ${staffId} is not this branch's`)
    const checker = await assertChecker(ctx, args['checker'], staffId)
    const exists = await ctx
      .trx('day_closes')
      .where({ staff_id: staffId, business_date: String(args['businessDate']) })
      .first()
    if (exists) throw new Rejection('DAY_CLOSED', 'already closed')
    await ctx.trx('day_closes').insert({
      staff_id: staffId,
      business_date: String(args['businessDate']),
      expected_yen: Number(args['expectedYen']),
      counted_yen: Number(args['countedYen']),
      note: (args['note'] as string | undefined) ?? null,
      checker,
    })
  },

  async 'inventory.write_off'(ctx, args) {
    const serial = String(args['serial'])
    const device = await ctx.trx('inventory').where({ serial }).first()
    if (!device) throw new Rejection('UNKNOWN_SERIAL', `no token ${serial}`)
    if (device.branch_code !== ctx.branchCode)
      throw new Rejection('FORBIDDEN_BRANCH', `${serial} is not this branch's`)
    if (device.state !== 'in_stock') throw new Rejection('NOT_IN_STOCK', `${serial} is ${device.state}`)
    await assertChecker(ctx, args['checker'], ctx.actor)
    await ctx
      .trx('inventory')
      .where({ serial })
      .update({ state: 'defective', seed_sealed: null, version: ctx.version })
  },
}
