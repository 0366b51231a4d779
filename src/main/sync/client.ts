import type { Knex } from 'knex'
import { DomainError } from '../../shared/result'
import {
  debitResponse,
  enrollResponse,
  MAX_MUTATIONS_PER_PUSH,
  pullResponse,
  pushResponse,
  SCHEMA_VERSION,
} from '../../shared/syncProtocol'
import type { Clock } from '../clock'
import type { SecretBox } from '../../core/security/secretBox'
import type { AuditLog } from '../services/audit'
import { sendingOrder, type Outbox } from '../services/outbox'
import { checkCentralUrl } from './centralUrl'
import type { LocalMutations } from './localMutations'
import { applyPatchOp } from './patch'
import { argsWithoutSecrets } from './problemSecrets'

export class CentralError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request certainly never reached central (no connection was made). */
    readonly neverSent = false,
  ) {
    super(message)
  }
}

/** Connection errors that mean nothing was sent; a timeout or a reset might have been after sending. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])

type Fetch = typeof fetch

export const APP_VERSION = '0.2.0'

/**
 * The branch's side of SYNC-PROTOCOL.md: enrolment (and re-enrolment as a new client), push of the outbox
 * in sending order, pull with paging and rebase, and 口座振替 asked of central at once.
 */
export class SyncClient {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly secretBox: SecretBox,
    private readonly outbox: Outbox,
    private readonly mutations: LocalMutations,
    private readonly audit: AuditLog,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  /**
   * Enrols this PC as a new client of central. On an empty database (端末の初期設定) the branch comes from
   * the form; on an enrolled one it must stay the same. Pending work is renumbered for the new client and
   * the sync position reset in the same transaction, so the next push starts at mutation 1.
   */
  async enroll(input: {
    centralUrl: string
    enrollmentCode: string
    workstationName: string
    branchCode?: string
  }): Promise<{ clientId: string; workstationNo: string; branchCode: string; branchName: string }> {
    const url = checkCentralUrl(input.centralUrl)
    const branch = await this.db('branches').first()
    const branchCode = branch?.code ?? input.branchCode
    if (!branchCode) throw new DomainError('CONFLICT', 'this workstation has no branch yet')
    if (branch && input.branchCode && input.branchCode !== branch.code)
      throw new DomainError('CONFLICT', `this workstation belongs to branch ${branch.code}`)
    const answer = enrollResponse.parse(
      await this.post(url, '/v1/enroll', {
        branchCode,
        enrollmentCode: input.enrollmentCode,
        workstationName: input.workstationName,
      }),
    )
    await this.db.transaction(async (trx) => {
      if (!branch) await trx('branches').insert({ code: branchCode, name: answer.branchName })
      await trx('outbox').update({ mutation_id: null })
      await trx('sync_state')
        .where({ id: 1 })
        .update({
          central_url: url.origin,
          client_id: answer.clientId,
          secret_sealed: this.secretBox.seal(Buffer.from(answer.secret, 'utf8'), `sync:${answer.clientId}`),
          workstation_no: answer.workstationNo,
          workstation_name: input.workstationName,
          last_assigned_id: 0,
          cookie: null,
          last_error: null,
          bootstrap_done: 0,
          bootstrap_total: null,
        })
    })
    return {
      clientId: answer.clientId,
      workstationNo: answer.workstationNo,
      branchCode,
      branchName: answer.branchName,
    }
  }

  async enrolled(): Promise<boolean> {
    const state = await this.state()
    return Boolean(state.client_id)
  }

  /** Push everything waiting, then pull until central has nothing more. A failed push still lets the pull run. */
  async syncOnce(): Promise<void> {
    const state = await this.state()
    if (!state.client_id) return
    await this.db('sync_state').where({ id: 1 }).update({ last_attempt_at: this.clock.now().toISOString() })
    let failure: unknown = null
    try {
      while (await this.pushBatch()) {
        /* next batch */
      }
    } catch (e) {
      failure = e
    }
    try {
      while (await this.pullPage()) {
        /* next page */
      }
    } catch (e) {
      failure ??= e
    }
    if (failure) {
      await this.db('sync_state')
        .where({ id: 1 })
        .update({ last_error: failure instanceof Error ? failure.message.slice(0, 300) : 'sync failed' })
      throw failure
    }
    await this.db('sync_state')
      .where({ id: 1 })
      .update({ last_success_at: this.clock.now().toISOString(), last_error: null })
  }

  /** Numbers the next rows in sending order (a suspension and its customer's earlier work first), sends up to 500. */
  private async pushBatch(): Promise<boolean> {
    const numberedNow = await this.db.transaction(async (trx) => {
      const rows = await trx('outbox').select('id', 'cif', 'priority', 'mutation_id')
      const numbered = rows.filter((r) => r.mutation_id !== null).length
      const toNumber = sendingOrder(rows)
        .filter((r) => r.mutation_id === null)
        .slice(0, Math.max(0, MAX_MUTATIONS_PER_PUSH - numbered))
      if (!toNumber.length) return null
      const state = await trx('sync_state').where({ id: 1 }).first('last_assigned_id')
      const from = Number(state.last_assigned_id)
      let next = from
      for (const row of toNumber) await trx('outbox').where({ id: row.id }).update({ mutation_id: ++next })
      await trx('sync_state').where({ id: 1 }).update({ last_assigned_id: next })
      return { from, to: next }
    })
    const rows = await this.db('outbox')
      .whereNotNull('mutation_id')
      .orderBy('mutation_id')
      .limit(MAX_MUTATIONS_PER_PUSH)
    if (!rows.length) return false
    const state = await this.state()
    const sent = await this.post(
      checkCentralUrl(state.central_url),
      '/v1/sync/push',
      {
        clientId: state.client_id,
        schemaVersion: SCHEMA_VERSION,
        mutations: rows.map((r) => ({
          id: r.mutation_id,
          name: r.name,
          args: this.outbox.openArgs(r),
          createdAt: r.created_at,
          actor: r.actor,
        })),
        status: await this.report(),
      },
      this.credentials(state),
    ).catch(async (e: unknown) => {
      // Nothing reached central: the numbers given just now are taken back, so a suspension made
      // while offline is still numbered ahead of other customers' work on the next try.
      if (e instanceof CentralError && e.neverSent && numberedNow) await this.unnumber(numberedNow)
      throw e
    })
    const answer = pushResponse.parse(sent)
    await this.db.transaction(async (trx) => {
      // A duplicate with a code was rejected the first time, when its answer was lost.
      const refusals = answer.results.filter(
        (r) => r.status === 'rejected' || (r.status === 'duplicate' && r.code),
      )
      const rejected = await this.recordRejections(trx, refusals)
      if (rejected.size) {
        // What central refused leaves this PC's view too: undo the pending work, re-apply all but it.
        await this.mutations.rebase(trx, { acknowledgedUpTo: answer.lastMutationId, rejected })
      } else {
        const acked = trx('outbox').where('mutation_id', '<=', answer.lastMutationId).select('id')
        await trx('rebase_undo').whereIn('outbox_id', acked).delete()
        await trx('outbox').where('mutation_id', '<=', answer.lastMutationId).delete()
      }
    })
    return (
      (await this.db('outbox').first('id')) !== undefined && answer.lastMutationId >= rows.at(-1)!.mutation_id
    )
  }

  private async unnumber(range: { from: number; to: number }): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('outbox')
        .where('mutation_id', '>', range.from)
        .andWhere('mutation_id', '<=', range.to)
        .update({ mutation_id: null })
      await trx('sync_state').where({ id: 1 }).update({ last_assigned_id: range.from })
    })
  }

  /** Central's news applied with its cookie in one transaction, pending work rebased on top. */
  private async pullPage(): Promise<boolean> {
    const state = await this.state()
    const answer = pullResponse.parse(
      await this.post(
        checkCentralUrl(state.central_url),
        '/v1/sync/pull',
        { clientId: state.client_id, cookie: state.cookie === null ? null : Number(state.cookie) },
        this.credentials(state),
      ),
    )
    const now = this.clock.now().toISOString()
    await this.db.transaction(async (trx) => {
      const rejected = await this.recordRejections(trx, answer.rejections ?? [])
      await this.mutations.rebase(trx, {
        acknowledgedUpTo: answer.lastMutationId,
        rejected,
        applyPatch: async () => {
          for (const op of answer.patch)
            await applyPatchOp(trx, op, { now, secretBox: this.secretBox, audit: this.audit })
        },
      })
      const done = Number(state.bootstrap_done ?? 0) + answer.patch.length
      const bootstrapping = state.cookie === null || state.bootstrap_total !== null
      await trx('sync_state')
        .where({ id: 1 })
        .update({
          cookie: String(answer.cookie),
          ...(bootstrapping
            ? answer.more
              ? { bootstrap_done: done, bootstrap_total: done + (answer.remaining ?? 0) }
              : { bootstrap_done: done, bootstrap_total: null }
            : {}),
        })
    })
    return answer.more
  }

  /**
   * Central's rejections land in 同期エラー once each: the outbox row still waiting is the proof it was not
   * recorded yet (a push answer and a pull may both report it). A refused credential change keeps no
   * password or key there (problemSecrets.ts).
   */
  private async recordRejections(
    trx: Knex.Transaction,
    refusals: { id: number; code?: string | undefined }[],
  ): Promise<Set<number>> {
    const rejected = new Set<number>()
    for (const refusal of refusals) {
      const row = await trx('outbox').where({ mutation_id: refusal.id }).first()
      if (!row) continue
      rejected.add(row.id)
      await trx('sync_problems').insert({
        mutation_id: refusal.id,
        name: row.name,
        args_json: argsWithoutSecrets(row.name, row.args_json),
        actor: row.actor,
        code: refusal.code ?? 'REJECTED',
        created_at: this.clock.now().toISOString(),
      })
      await trx('outbox').where({ id: row.id }).delete()
    }
    return rejected
  }

  /** 口座振替 (issue 8): central debits the account before the receipt exists, or says why not. */
  async debit(input: { receiptNo: string; cif: string; account: string; amountYen: number }): Promise<void> {
    const state = await this.state()
    if (!state.client_id)
      throw new DomainError('OFFLINE', 'account debit needs central; this PC is not enrolled')
    let raw: unknown
    try {
      raw = await this.post(
        checkCentralUrl(state.central_url),
        '/v1/debit',
        { clientId: state.client_id, ...input },
        this.credentials(state),
      )
    } catch {
      throw new DomainError('OFFLINE', 'central could not be reached to debit the account; take cash')
    }
    const answer = debitResponse.parse(raw)
    if (answer.ok) return
    if (answer.code === 'INSUFFICIENT_FUNDS')
      throw new DomainError('INSUFFICIENT_FUNDS', 'the account balance does not cover the fee')
    if (answer.code === 'ACCOUNT_CLOSED') throw new DomainError('ACCOUNT_CLOSED', 'the account is closed')
    if (answer.code === 'UNKNOWN_ACCOUNT')
      throw new DomainError('VALIDATION', 'central does not know this account', {
        'payment.account': 'unknown',
      })
    throw new DomainError('CONFLICT', 'this receipt number was debited for another account; try again')
  }

  /** How far a new PC's first pull got (setup screen). */
  async bootstrapProgress() {
    const state = await this.state()
    return {
      done: Number(state.bootstrap_done ?? 0),
      total: state.bootstrap_total === null ? null : Number(state.bootstrap_total),
    }
  }

  /** What the PC tells central about itself on every push: queue, version, and its audit anchor. */
  private async report() {
    const [depth] = await this.db('outbox').count<{ n: number }[]>({ n: '*' })
    const oldest = await this.db('outbox').orderBy('id').first('created_at')
    const [audit] = await this.db('audit').count<{ n: number }[]>({ n: '*' })
    const last = await this.db('audit').orderBy('id', 'desc').first('hash')
    return {
      queueDepth: Number(depth?.n ?? 0),
      oldestPendingAt: oldest?.created_at ?? null,
      appVersion: APP_VERSION,
      auditCount: Number(audit?.n ?? 0),
      auditHash: last?.hash ?? '0'.repeat(64),
    }
  }

  private async state() {
    return this.db('sync_state').where({ id: 1 }).first()
  }

  private credentials(state: { client_id: string; secret_sealed: string }): string {
    const secret = this.secretBox.open(state.secret_sealed, `sync:${state.client_id}`).toString('utf8')
    return `Bearer ${state.client_id}.${secret}`
  }

  private async post(base: URL, path: string, body: unknown, authorization?: string): Promise<unknown> {
    let response: Response
    try {
      response = await this.fetchImpl(new URL(path, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      })
    } catch (e) {
      const code = (e as { cause?: { code?: unknown } }).cause?.code
      throw new CentralError(
        0,
        `central unreachable: ${e instanceof Error ? e.message : String(e)}`,
        typeof code === 'string' && NOT_CONNECTED.has(code),
      )
    }
    const json = (await response.json().catch(() => null)) as {
      error?: { code: string; message: string }
    } | null
    if (!response.ok)
      throw new CentralError(
        response.status,
        `${response.status} ${json?.error?.code ?? ''} ${json?.error?.message ?? ''}`.trim(),
      )
    return json
  }
}
