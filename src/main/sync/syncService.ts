import type { Knex } from 'knex'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import type { AuditLog } from '../services/audit'
import type { Connectivity } from '../services/connectivity'
import type { Outbox } from '../services/outbox'
import type { LocalMutations } from './localMutations'
import type { SetupProgress } from '../../shared/contract'
import type { MutationName } from '../../shared/syncProtocol'
import type { Session } from '../services/sessions'
import { CentralError, type SyncClient } from './client'
import type { SyncScheduler } from './scheduler'
import { carriesSecrets } from './problemSecrets'
import { outboxExport } from './outboxExport'

/** What the status bar, the sync screen and the admin's enrolment form call. */
export class SyncService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
    private readonly mutations: LocalMutations,
    private readonly client: SyncClient,
    private readonly scheduler: SyncScheduler,
    private readonly connectivity: Connectivity,
  ) {}

  async status() {
    const state = await this.db('sync_state').where({ id: 1 }).first()
    const [depth] = await this.db('outbox').count<{ n: number }[]>({ n: '*' })
    const oldest = await this.db('outbox').orderBy('id').first('created_at')
    const [problems] = await this.db('sync_problems')
      .whereNull('resolved_at')
      .count<{ n: number }[]>({ n: '*' })
    return {
      enrolled: Boolean(state.client_id),
      centralUrl: state.central_url ?? null,
      clientId: state.client_id ?? null,
      online: await this.connectivity.online(),
      lastSuccessAt: state.last_success_at ?? null,
      lastAttemptAt: state.last_attempt_at ?? null,
      lastError: state.last_error ?? null,
      outboxDepth: Number(depth?.n ?? 0),
      oldestWaitingAt: oldest?.created_at ?? null,
      openProblems: Number(problems?.n ?? 0),
      workstationNo: state.workstation_no ?? null,
      workstationName: state.workstation_name ?? null,
    }
  }

  async syncNow() {
    if (!(await this.client.enrolled()))
      throw new DomainError('CONFLICT', 'this workstation is not enrolled with central')
    try {
      await this.scheduler.now()
    } catch (e) {
      if (!(e instanceof CentralError)) throw e
    }
    return this.status()
  }

  /** 端末設定: an admin enrols (or re-enrols) this PC; pending work is renumbered for the new client. */
  async enroll(
    session: Session,
    input: { centralUrl: string; enrollmentCode: string; workstationName: string },
  ) {
    const enrolled = await this.enrollWithCentral(input)
    await this.db.transaction((trx) =>
      this.audit.append(trx, {
        actor: session.staffId,
        action: 'sync.enroll',
        entity: 'workstation',
        entityKey: enrolled.clientId,
        after: { centralUrl: input.centralUrl, workstationNo: enrolled.workstationNo },
      }),
    )
    this.scheduler.start()
    return this.status()
  }

  /**
   * 端末の初期設定 (issue 8): an empty PC enrols with a code from HQ, then its first pull fills it with the
   * branch's customers, staff and stock. Allowed only while the database holds no branch.
   */
  async setup(input: {
    centralUrl: string
    branchCode: string
    enrollmentCode: string
    workstationName: string
  }) {
    if (await this.db('branches').first()) throw new DomainError('SETUP_DONE', 'this PC is already set up')
    const enrolled = await this.enrollWithCentral(input)
    await this.db.transaction((trx) =>
      this.audit.append(trx, {
        actor: 'setup',
        action: 'sync.setup',
        entity: 'workstation',
        entityKey: enrolled.clientId,
        after: {
          centralUrl: input.centralUrl,
          branchCode: enrolled.branchCode,
          workstationNo: enrolled.workstationNo,
        },
      }),
    )
    this.startFirstPull()
    return this.setupProgress()
  }

  /** The first pull runs alone; the regular schedule starts after it, so two syncs never overlap. */
  private startFirstPull(): void {
    this.setupError = null
    this.setupRun = this.client
      .syncOnce()
      .then(
        () => {
          this.setupError = null
        },
        (e: unknown) => {
          this.setupError = e instanceof Error ? e.message.slice(0, 200) : 'the first sync failed'
        },
      )
      .finally(() => this.scheduler.start())
  }

  private setupRun: Promise<void> | null = null
  private setupError: string | null = null

  /** How far the first pull got, for the setup screen's progress bar. */
  async setupProgress(): Promise<SetupProgress> {
    const branch = await this.db('branches').first()
    const state = await this.db('sync_state').where({ id: 1 }).first()
    const progress = await this.client.bootstrapProgress()
    const base = {
      done: progress.done,
      total: progress.total,
      branchCode: branch?.code ?? null,
      branchName: branch?.name ?? null,
      workstationNo: state.workstation_no ?? null,
      error: this.setupError,
    }
    if (!branch || !state.client_id) return { ...base, phase: 'not_started' }
    // A later sync by the scheduler may have finished what the first one could not.
    if (this.setupError && state.last_success_at) this.setupError = null
    if (this.setupError) return { ...base, error: this.setupError, phase: 'failed' }
    if (state.cookie !== null && progress.total === null) return { ...base, phase: 'done' }
    return { ...base, phase: 'loading' }
  }

  /** Test hook and shutdown: the setup's first sync, if one runs. */
  async setupFinished(): Promise<void> {
    await this.setupRun
  }

  private async enrollWithCentral(input: {
    centralUrl: string
    enrollmentCode: string
    workstationName: string
    branchCode?: string
  }) {
    try {
      return await this.client.enroll(input)
    } catch (e) {
      if (e instanceof DomainError) throw e
      if (e instanceof CentralError && e.status === 401)
        throw new DomainError('UNAUTHENTICATED', 'the enrolment code is wrong, already used or expired', {
          enrollmentCode: 'wrong, used or expired',
        })
      throw new DomainError('VALIDATION', e instanceof Error ? e.message : 'enrolment failed', {
        centralUrl: 'check the URL and the code',
      })
    }
  }

  async queue() {
    const waiting = await this.outbox.pending(this.db)
    const rows = await this.db('outbox').select('id', 'created_at', 'actor', 'mutation_id')
    const meta = new Map(rows.map((r) => [r.id, r]))
    const problems = await this.db('sync_problems').orderBy('id', 'desc').limit(200)
    return {
      waiting: waiting.map((w) => ({
        id: w.id,
        mutationId: meta.get(w.id)?.mutation_id ?? null,
        name: w.name,
        actor: meta.get(w.id)?.actor ?? '',
        createdAt: meta.get(w.id)?.created_at ?? '',
        priority: w.priority,
      })),
      problems: problems.map((p) => ({
        id: p.id,
        mutationId: p.mutation_id,
        name: p.name,
        actor: p.actor,
        code: p.code,
        args: JSON.parse(p.args_json) as unknown,
        // A refused credential change is done again by the person, never sent again (problemSecrets.ts).
        retryable: !carriesSecrets(p.name),
        createdAt: p.created_at,
        resolvedAt: p.resolved_at ?? null,
        resolvedBy: p.resolved_by ?? null,
        resolution: p.resolution ?? null,
        note: p.note ?? null,
      })),
    }
  }

  /** A supervisor resolves a rejected mutation: send it again after a fix, or accept the rejection. */
  async resolveProblem(session: Session, input: { id: number; action: 'retry' | 'accept'; note: string }) {
    await this.db.transaction(async (trx) => {
      const problem = await trx('sync_problems').where({ id: input.id }).first()
      if (!problem) throw new DomainError('NOT_FOUND', `no sync problem ${input.id}`)
      if (problem.resolved_at) throw new DomainError('CONFLICT', 'already resolved')
      // Its password and key were not kept, and the same ones would be refused again: the person redoes it.
      if (input.action === 'retry' && carriesSecrets(problem.name))
        throw new DomainError('REDO_BY_PERSON', 'a refused credential change cannot be sent again')
      const at = this.clock.now().toISOString()
      await trx('sync_problems')
        .where({ id: input.id })
        .update({ resolved_at: at, resolved_by: session.staffId, resolution: input.action, note: input.note })
      if (input.action === 'retry') {
        // Applied again here first: a rule that still refuses it says so now, and nothing changes.
        const args = this.outbox.openArgs(problem)
        await this.mutations.commit(trx, problem.name as MutationName, args, problem.actor, {
          cif: typeof args['cif'] === 'string' ? args['cif'] : null,
        })
      }
      await this.audit.append(trx, {
        actor: session.staffId,
        action: `sync.problem_${input.action}`,
        entity: 'sync_problem',
        entityKey: String(input.id),
        before: { code: problem.code, name: problem.name },
        after: { resolution: input.action, note: input.note },
      })
    })
    this.scheduler.notifyChange()
    return this.queue()
  }

  /** The last resort: everything waiting, as JSON HQ can load by hand (see outboxExport), audited. */
  async exportOutbox(session: Session) {
    const exported = await outboxExport(this.db, this.clock.now())
    await this.db.transaction((trx) =>
      this.audit.append(trx, {
        actor: session.staffId,
        action: 'sync.export_outbox',
        entity: 'workstation',
        entityKey: exported.clientId ?? 'unenrolled',
        after: { rows: exported.rows },
      }),
    )
    return { fileName: exported.fileName, content: exported.content }
  }
}
