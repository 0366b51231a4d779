import type { Knex } from 'knex'
import { DomainError } from '../../shared/result'
import {
  enrollResponse,
  MAX_MUTATIONS_PER_PUSH,
  pullResponse,
  pushResponse,
  SCHEMA_VERSION,
  type PatchOp,
} from '../../shared/syncProtocol'
import type { Clock } from '../clock'
import { kanaKey } from '../../core/domain/kana'
import type { SecretBox } from '../../core/security/secretBox'
import type { RevocationService } from '../services/revocations'
import { checkCentralUrl } from './centralUrl'

export class CentralError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

type Fetch = typeof fetch

/**
 * The branch's side of SYNC-PROTOCOL.md: enrolment, push of the outbox (mutation ids assigned in
 * sending order and kept for retries), pull with paging, central's news applied in one transaction
 * with its cookie, acknowledged outbox rows removed in the same transaction.
 */
export class SyncClient {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly secretBox: SecretBox,
    private readonly revocations: RevocationService,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  async enroll(input: {
    centralUrl: string
    enrollmentCode: string
    workstationName: string
  }): Promise<string> {
    const url = checkCentralUrl(input.centralUrl)
    const branch = await this.db('branches').first()
    if (!branch) throw new DomainError('CONFLICT', 'this workstation has no branch yet')
    const answer = await this.post(url, '/v1/enroll', {
      branchCode: branch.code,
      enrollmentCode: input.enrollmentCode,
      workstationName: input.workstationName,
    })
    const { clientId, secret } = enrollResponse.parse(answer)
    await this.db('sync_state')
      .where({ id: 1 })
      .update({
        central_url: url.origin,
        client_id: clientId,
        secret_sealed: this.secretBox.seal(Buffer.from(secret, 'utf8'), `sync:${clientId}`),
        last_error: null,
      })
    return clientId
  }

  async enrolled(): Promise<boolean> {
    const state = await this.state()
    return Boolean(state.client_id)
  }

  /** Push everything waiting, then pull until central has nothing more. */
  async syncOnce(): Promise<void> {
    const state = await this.state()
    if (!state.client_id) return
    await this.db('sync_state').where({ id: 1 }).update({ last_attempt_at: this.clock.now().toISOString() })
    try {
      while (await this.pushBatch()) {
        /* next batch */
      }
      while (await this.pullPage()) {
        /* next page */
      }
      await this.db('sync_state')
        .where({ id: 1 })
        .update({ last_success_at: this.clock.now().toISOString(), last_error: null })
    } catch (e) {
      await this.db('sync_state')
        .where({ id: 1 })
        .update({ last_error: e instanceof Error ? e.message.slice(0, 300) : 'sync failed' })
      throw e
    }
  }

  /** Gives waiting rows their mutation ids (suspensions first), then sends up to 500 of them. */
  private async pushBatch(): Promise<boolean> {
    await this.db.transaction(async (trx) => {
      const state = await trx('sync_state').where({ id: 1 }).first()
      let next = Number(state.last_assigned_id)
      const unnumbered = await trx('outbox')
        .whereNull('mutation_id')
        .orderBy([{ column: 'priority', order: 'desc' }, { column: 'id' }])
      for (const row of unnumbered) await trx('outbox').where({ id: row.id }).update({ mutation_id: ++next })
      await trx('sync_state').where({ id: 1 }).update({ last_assigned_id: next })
    })
    const rows = await this.db('outbox')
      .whereNotNull('mutation_id')
      .orderBy('mutation_id')
      .limit(MAX_MUTATIONS_PER_PUSH)
    if (!rows.length) return false
    const state = await this.state()
    const answer = pushResponse.parse(
      await this.post(
        checkCentralUrl(state.central_url),
        '/v1/sync/push',
        {
          clientId: state.client_id,
          schemaVersion: SCHEMA_VERSION,
          mutations: rows.map((r) => ({
            id: r.mutation_id,
            name: r.name,
            args: JSON.parse(r.args_json),
            createdAt: r.created_at,
            actor: r.actor,
          })),
        },
        this.credentials(state),
      ),
    )
    await this.db.transaction(async (trx) => {
      for (const result of answer.results.filter((r) => r.status === 'rejected')) {
        const row = rows.find((r) => r.mutation_id === result.id)
        if (!row) continue
        await trx('sync_problems').insert({
          mutation_id: result.id,
          name: row.name,
          args_json: row.args_json,
          actor: row.actor,
          code: result.code ?? 'REJECTED',
          created_at: this.clock.now().toISOString(),
        })
      }
      await trx('outbox').where('mutation_id', '<=', answer.lastMutationId).delete()
    })
    return rows.length === MAX_MUTATIONS_PER_PUSH
  }

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
    await this.db.transaction(async (trx) => {
      for (const op of answer.patch) await this.apply(trx, op)
      await trx('outbox').where('mutation_id', '<=', answer.lastMutationId).delete()
      await trx('sync_state')
        .where({ id: 1 })
        .update({ cookie: String(answer.cookie) })
    })
    return answer.more
  }

  private async apply(trx: Knex.Transaction, op: PatchOp): Promise<void> {
    // 'clear' comes first on a first pull: the puts that follow are central's whole picture. Rows the
    // branch made itself stay (receipts and audit point at them); central's values overwrite the rest.
    if (op.op === 'clear' || op.op === 'del') return
    const v = op.value as Record<string, unknown>
    const now = this.clock.now().toISOString()
    if (op.entity === 'customer') {
      const row = {
        cif: v['cif'],
        name_kanji: v['nameKanji'],
        name_kana: v['nameKana'],
        name_kana_key: kanaKey(String(v['nameKana'])),
        birth_date: v['birthDate'],
        phone: v['phone'],
        phone_digits: String(v['phone']).replace(/\D/g, ''),
        home_branch: v['homeBranch'],
        otp_status: v['otpStatus'],
        status_changed_at: v['statusChangedAt'],
        updated_at: now,
      }
      await trx('customers').insert(row).onConflict('cif').merge()
      for (const a of (v['accounts'] as { branchCode: string; subject: string; number: string }[]) ?? []) {
        await trx('accounts')
          .insert({ cif: v['cif'], branch_code: a.branchCode, subject: a.subject, number: a.number })
          .onConflict(['branch_code', 'subject', 'number'])
          .ignore()
      }
    }
    if (op.entity === 'token') {
      const row = {
        uid: v['uid'],
        cif: v['cif'],
        kind: v['kind'],
        serial: v['serial'] ?? null,
        state: v['state'],
        issued_at: v['issuedAt'] ?? null,
        activated_at: v['activatedAt'] ?? null,
        revoked_at: v['revokedAt'] ?? null,
      }
      await trx('tokens').insert(row).onConflict('uid').merge()
    }
    if (op.entity === 'staff') {
      const existing = await trx('staff').where({ staff_id: v['staffId'] }).first()
      const branch = await trx('branches').first()
      if (existing) {
        await trx('staff')
          .where({ staff_id: v['staffId'] })
          .update({ name: v['name'], role: v['role'], password_hash: v['passwordHash'], updated_at: now })
      } else if (branch) {
        await trx('staff').insert({
          staff_id: v['staffId'],
          branch_code: branch.code,
          name: v['name'],
          role: v['role'],
          password_hash: v['passwordHash'],
          updated_at: now,
        })
      }
    }
    if (op.entity === 'inventory') {
      const branch = await trx('branches').first()
      const seed =
        typeof v['seed'] === 'string' && v['state'] === 'in_stock' ? Buffer.from(v['seed'], 'base64') : null
      const existing = await trx('inventory').where({ serial: v['serial'] }).first()
      const row = {
        serial: v['serial'],
        branch_code: branch.code,
        state: v['state'],
        algorithm: v['algorithm'],
        digits: v['digits'],
        period: v['period'] ?? null,
        received_on: v['receivedOn'] ?? now.slice(0, 10),
        updated_at: now,
        // Seeds arrive over TLS for stock only and are sealed at once; a device no longer in stock
        // (issued and synced) has its seed deleted here.
        seed_sealed: seed
          ? this.secretBox.seal(seed, `seed:${String(v['serial'])}`)
          : v['state'] === 'in_stock'
            ? (existing?.seed_sealed ?? null)
            : null,
      }
      if (existing) await trx('inventory').where({ serial: v['serial'] }).update(row)
      else await trx('inventory').insert({ ...row, counter: v['counter'] ?? 0 })
    }
    if (op.entity === 'request') await this.applyRequest(trx, v, now)
  }

  private async applyRequest(trx: Knex.Transaction, v: Record<string, unknown>, now: string): Promise<void> {
    const local = await trx('requests').where({ id: v['id'] }).first()
    // Central's decisions on revocations go through the revocation service (audit, token, device).
    if (local?.kind === 'revocation' && local.state === 'awaiting_central') {
      if (v['state'] === 'completed') return this.revocations.applyCentralCompletion(local.id, now, trx)
      if (v['state'] === 'rejected')
        return this.revocations.applyCentralRejection(local.id, String(v['decisionReason'] ?? ''), trx)
    }
    if (local) {
      await trx('requests')
        .where({ id: v['id'] })
        .update({
          state: v['state'],
          checker: v['checker'] ?? local.checker,
          decision_reason: v['decisionReason'] ?? local.decision_reason,
          updated_at: now,
        })
      return
    }
    const detail = (v['detail'] ?? {}) as Record<string, unknown>
    await trx('requests').insert({
      id: v['id'],
      kind: v['kind'],
      cif: v['cif'],
      state: v['state'],
      maker: v['maker'] ?? 'central',
      checker: v['checker'] ?? null,
      prev_status: v['prevStatus'] ?? null,
      channel: detail['channel'] ?? null,
      reason: detail['reason'] ?? null,
      note: detail['note'] ?? null,
      decision_reason: v['decisionReason'] ?? null,
      detail_json: JSON.stringify(detail),
      created_at: now,
      updated_at: now,
    })
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
      throw new CentralError(0, `central unreachable: ${e instanceof Error ? e.message : String(e)}`)
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
