import type { Knex } from 'knex'
import type { ApprovalInput, RevocationDetail, RevocationSummary } from '../../shared/contract'
import type { OtpStatus } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { businessDate } from '../../core/domain/businessDate'
import { revocationElapsedDays } from '../../shared/revocationDates'
import {
  canMoveRevocation,
  isOverdue,
  OPEN_REVOCATION_STATES,
  paperDueOn,
  type RevocationMove,
  type RevocationState,
} from '../../core/domain/revocationRules'
import { LIVE_TOKEN_STATES } from '../../core/domain/statusRules'
import type { ApprovalService } from './approvals'
import type { AuditLog } from './audit'
import { SUSPENSION_PRIORITY } from './outbox'
import { withdrawalNeedsChecker } from '../../core/duties'
import type { LocalMutations } from '../sync/localMutations'
import type { Session } from './sessions'
import { newRequestId } from '../../core/requestId'

type Db = Knex | Knex.Transaction

export interface RevocationRequestInput {
  cif: string
  channel: 'in_person' | 'paper'
  reason: 'change_device' | 'lost' | 'stolen' | 'broken' | 'unneeded' | 'other'
  note?: string
  identity?: { kind: string; last4: string }
  paper?: { formNo: string; receivedOn: string; sealChecked: true }
}

/**
 * In-person and paper revocations, emergency suspension, branch approval, withdrawal, and the outcomes
 * central reports (DOMAIN.md: Revocations). Every method is one transaction: request row, customer
 * status, audit row and outbox row together.
 */
export class RevocationService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly mutations: LocalMutations,
    private readonly approvals: ApprovalService,
  ) {}

  /** Recorded as waiting for branch approval; the customer's status does not change yet. */
  async request(session: Session, input: RevocationRequestInput): Promise<RevocationDetail> {
    const id = newRequestId()
    if (input.paper && input.paper.receivedOn > businessDate(this.clock.now())) {
      throw new DomainError('VALIDATION', 'the form cannot have been received in the future', {
        'paper.receivedOn': 'a date in the future',
      })
    }
    await this.db.transaction(async (trx) => {
      await this.loadCustomer(trx, input.cif)
      const token = await this.liveToken(trx, input.cif)
      await this.mutations.commit(
        trx,
        'revocation.request',
        {
          requestId: id,
          cif: input.cif,
          tokenUid: token?.uid ?? null,
          channel: input.channel,
          reason: input.reason,
          ...(input.note ? { note: input.note } : {}),
          ...(input.paper
            ? {
                paperForm: {
                  formNo: input.paper.formNo,
                  receivedOn: input.paper.receivedOn,
                  sealChecked: true,
                },
              }
            : {}),
          identity: input.identity ?? null,
        },
        session.staffId,
        { cif: input.cif },
      )
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'revocation.request',
        entity: 'customer',
        entityKey: input.cif,
        after: {
          requestId: id,
          channel: input.channel,
          reason: input.reason,
          dueOn: input.paper ? paperDueOn(input.paper.receivedOn) : null,
          state: 'awaiting_branch',
        },
      })
    })
    return this.get(id)
  }

  /** 緊急停止 for a lost or stolen token: effective at the branch at once, sent to central first. */
  async suspend(session: Session, input: { cif: string; reason: 'lost' | 'stolen'; note?: string }) {
    const id = newRequestId()
    await this.db.transaction(async (trx) => {
      const customer = await this.loadCustomer(trx, input.cif)
      const token = await this.liveToken(trx, input.cif)
      await this.mutations.commit(
        trx,
        'token.suspend',
        {
          requestId: id,
          cif: input.cif,
          tokenUid: token?.uid ?? null,
          reason: input.reason,
          ...(input.note ? { note: input.note } : {}),
        },
        session.staffId,
        { cif: input.cif, priority: SUSPENSION_PRIORITY },
      )
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'token.suspend',
        entity: 'customer',
        entityKey: input.cif,
        before: { otpStatus: customer.otp_status },
        after: { otpStatus: 'suspended', requestId: id, reason: input.reason },
      })
    })
    return { requestId: id, otpStatus: 'suspended' as const }
  }

  /**
   * A supervisor approves: either logged in (the inbox) or at the teller's PC with the approval dialog.
   * Refused when the customer's status moved since the request (someone else acted meanwhile).
   */
  async approve(session: Session, input: { requestId: string; approval?: ApprovalInput }) {
    const request = await this.loadRequest(this.db, input.requestId)
    const approval = await this.checker(session, request, input.approval, 'revocation.approve')
    await this.db.transaction(async (trx) => {
      const req = await this.loadRequest(trx, input.requestId)
      this.assertMove('approve', req.state)
      const customer = await this.loadCustomer(trx, req.cif)
      if (approval.consume) await approval.consume(trx)
      await this.mutations.commit(
        trx,
        'revocation.approve',
        { requestId: req.id, checker: approval.checker },
        session.staffId,
        { cif: req.cif },
      )
      await this.audit.append(trx, {
        actor: approval.checker,
        action: 'revocation.approve',
        entity: 'customer',
        entityKey: req.cif,
        before: { otpStatus: customer.otp_status, state: req.state },
        after: {
          otpStatus: 'revocation_pending',
          state: 'awaiting_central',
          requestId: req.id,
          maker: req.maker,
        },
      })
    })
    return this.get(input.requestId)
  }

  async reject(session: Session, input: { requestId: string; reason: string; approval?: ApprovalInput }) {
    const request = await this.loadRequest(this.db, input.requestId)
    const approval = await this.checker(session, request, input.approval, 'revocation.reject')
    await this.db.transaction(async (trx) => {
      const req = await this.loadRequest(trx, input.requestId)
      this.assertMove('reject', req.state)
      if (approval.consume) await approval.consume(trx)
      await this.mutations.commit(
        trx,
        'revocation.reject',
        { requestId: req.id, checker: approval.checker, reason: input.reason },
        session.staffId,
        { cif: req.cif },
      )
      await this.audit.append(trx, {
        actor: approval.checker,
        action: 'revocation.reject',
        entity: 'customer',
        entityKey: req.cif,
        before: { state: req.state },
        after: { state: 'rejected', requestId: req.id, reason: input.reason, maker: req.maker },
      })
    })
    return this.get(input.requestId)
  }

  /**
   * The customer changed their mind: possible until central completes. A supervisor approves when the
   * request was approved, is someone else's, or is about a lost or stolen token (src/core/duties.ts).
   */
  async withdraw(session: Session, input: { requestId: string; reason: string; approval?: ApprovalInput }) {
    const request = await this.loadRequest(this.db, input.requestId)
    this.assertMove('withdraw', request.state)
    const needsChecker = (req: typeof request) =>
      withdrawalNeedsChecker({
        state: req.state,
        maker: req.maker,
        actor: session.staffId,
        reason: req.reason,
      })
    const approval = needsChecker(request)
      ? await this.checker(session, request, input.approval, 'revocation.withdraw', session.staffId)
      : null
    await this.db.transaction(async (trx) => {
      const req = await this.loadRequest(trx, input.requestId)
      this.assertMove('withdraw', req.state)
      if (needsChecker(req) !== Boolean(approval))
        throw new DomainError('CONFLICT', 'the request changed meanwhile')
      if (approval?.consume) await approval.consume(trx)
      const customer = await this.loadCustomer(trx, req.cif)
      await this.mutations.commit(
        trx,
        'revocation.withdraw',
        { requestId: req.id, reason: input.reason, ...(approval ? { checker: approval.checker } : {}) },
        session.staffId,
        { cif: req.cif },
      )
      const after = await this.loadCustomer(trx, req.cif)
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'revocation.withdraw',
        entity: 'customer',
        entityKey: req.cif,
        before: { state: req.state, otpStatus: customer.otp_status },
        after: {
          state: 'withdrawn',
          requestId: req.id,
          reason: input.reason,
          otpStatus: after.otp_status,
          checker: approval?.checker ?? null,
        },
      })
    })
    return this.get(input.requestId)
  }

  async get(requestId: string): Promise<RevocationDetail> {
    const row = await this.summaryQuery(this.db).where('r.id', requestId).first()
    if (!row) throw new DomainError('NOT_FOUND', `no revocation ${requestId}`)
    const events = await this.db('audit')
      .where({ entity: 'customer', entity_key: row.cif })
      .whereRaw(`json_extract(after_json, '$.requestId') = ?`, [requestId])
      .orderBy('id')
    return {
      ...this.toSummary(row),
      identityKind: row.identity_kind,
      sealChecked: row.seal_checked === null ? null : Boolean(row.seal_checked),
      prevStatus: row.prev_status,
      timeline: events.map((e) => ({
        at: e.at,
        actor: e.actor,
        action: e.action,
        detail: e.after_json ? JSON.parse(e.after_json) : null,
      })),
    }
  }

  async list(filter: {
    state?: RevocationState
    channel?: string
    cif?: string
    openOnly?: boolean
    sort: 'age' | 'due'
  }) {
    const q = this.summaryQuery(this.db)
    if (filter.state) q.where('r.state', filter.state)
    if (filter.openOnly) q.whereIn('r.state', OPEN_REVOCATION_STATES as RevocationState[])
    if (filter.channel) q.where('r.channel', filter.channel)
    if (filter.cif) q.where('r.cif', filter.cif)
    if (filter.sort === 'due') q.orderByRaw(`r.due_on IS NULL, r.due_on`).orderBy('r.created_at')
    else q.orderBy('r.created_at')
    return { items: (await q).map((row) => this.toSummary(row)) }
  }

  /** What waits for a supervisor: revocations to approve or reject, oldest first, not their own. */
  async inbox() {
    const rows = await this.summaryQuery(this.db).where('r.state', 'awaiting_branch').orderBy('r.created_at')
    return { items: rows.map((row) => this.toSummary(row)) }
  }

  private summaryQuery(db: Db) {
    return db('requests as r')
      .join('customers as c', 'c.cif', 'r.cif')
      .leftJoin('staff as s', 's.staff_id', 'r.maker')
      .leftJoin('tokens as t', 't.uid', 'r.token_uid')
      .where('r.kind', 'revocation')
      .select(
        'r.*',
        'c.name_kanji as customer_name',
        'c.otp_status as otp_status',
        's.name as maker_name',
        't.kind as token_kind',
        't.serial as token_serial',
      )
  }

  private toSummary(row: Record<string, unknown>): RevocationSummary {
    const now = this.clock.now()
    const createdAt = row['created_at'] as string
    const state = row['state'] as RevocationState
    const dueOn = (row['due_on'] as string | null) ?? null
    return {
      id: row['id'] as string,
      cif: row['cif'] as string,
      customerName: row['customer_name'] as string,
      otpStatus: row['otp_status'] as OtpStatus,
      channel: row['channel'] as 'in_person' | 'paper',
      reason: row['reason'] as RevocationSummary['reason'],
      note: (row['note'] as string | null) ?? null,
      state,
      maker: row['maker'] as string,
      makerName: (row['maker_name'] as string | null) ?? (row['maker'] as string),
      checker: (row['checker'] as string | null) ?? null,
      tokenKind: (row['token_kind'] as 'soft' | 'hard' | null) ?? null,
      tokenSerial: (row['token_serial'] as string | null) ?? null,
      formNo: (row['form_no'] as string | null) ?? null,
      receivedOn: (row['received_on'] as string | null) ?? null,
      dueOn,
      overdue: isOverdue(state, dueOn, businessDate(now)),
      // Counted like the due date (Japan calendar days from the received date for paper): the same
      // number the list, the card and the reports show.
      ageDays: revocationElapsedDays(
        {
          channel: row['channel'] as 'in_person' | 'paper',
          receivedOn: (row['received_on'] as string | null) ?? null,
          createdAt,
        },
        now,
      ),
      createdAt,
      decidedAt: (row['decided_at'] as string | null) ?? null,
      decidedBy: (row['decided_by'] as string | null) ?? null,
      decisionReason: (row['decision_reason'] as string | null) ?? null,
    }
  }

  /**
   * Who checks: the logged-in supervisor (not the maker), or a supervisor approving at this PC with the
   * dialog. Verified before the transaction; the approval's TOTP step is consumed inside it.
   */
  private async checker(
    session: Session,
    request: { maker: string },
    approval: ApprovalInput | undefined,
    action: string,
    maker = request.maker,
  ): Promise<{ checker: string; consume?: (trx: Knex.Transaction) => Promise<void> }> {
    if (approval) {
      const checked = await this.approvals.verify(approval, maker, session.branchCode, action)
      return { checker: checked.checker, consume: (trx) => this.approvals.consume(trx, checked) }
    }
    if (session.role !== 'supervisor') {
      throw new DomainError('APPROVAL_REQUIRED', 'a supervisor must approve this (approval dialog or inbox)')
    }
    if (session.staffId === maker)
      throw new DomainError('MAKER_IS_CHECKER', 'the maker cannot approve their own request')
    return { checker: session.staffId }
  }

  private assertMove(move: RevocationMove, state: RevocationState): void {
    if (!canMoveRevocation(move, state)) {
      throw new DomainError(
        'CONFLICT',
        `a request that is ${state} cannot be ${move === 'withdraw' ? 'withdrawn' : `${move}d`}`,
      )
    }
  }

  private async loadRequest(db: Db, requestId: string) {
    const req = await db('requests').where({ id: requestId, kind: 'revocation' }).first()
    if (!req) throw new DomainError('NOT_FOUND', `no revocation ${requestId}`)
    return req as {
      id: string
      cif: string
      state: RevocationState
      maker: string
      prev_status: OtpStatus
      reason: string | null
    }
  }

  private async loadCustomer(db: Db, cif: string) {
    const customer = await db('customers').where({ cif }).first()
    if (!customer) throw new DomainError('NOT_FOUND', `no customer with CIF ${cif}`)
    return customer as { cif: string; otp_status: OtpStatus }
  }

  private async liveToken(db: Db, cif: string) {
    return db('tokens')
      .where({ cif })
      .whereIn('state', LIVE_TOKEN_STATES)
      .orderBy('issued_at', 'desc')
      .first()
  }
}
