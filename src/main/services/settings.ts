import type { Knex } from 'knex'
import { DEFAULT_IDLE_LOCK_SECONDS } from '../../shared/domain'
import type { AuditLog } from './audit'
import type { Session } from './sessions'

const IDLE_LOCK_KEY = 'idle_lock_seconds'

/** Workstation settings an admin may change. */
export class SettingsService {
  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
    /** Browser mode and tests may fix the idle lock (e.g. to a few seconds); the stored value is then ignored. */
    private readonly idleLockOverride?: number,
  ) {}

  async idleLockSeconds(): Promise<number> {
    if (this.idleLockOverride !== undefined) return this.idleLockOverride
    const row = await this.db('settings').where({ key: IDLE_LOCK_KEY }).first()
    return row ? Number(row.value) : DEFAULT_IDLE_LOCK_SECONDS
  }

  async get(): Promise<{ idleLockSeconds: number }> {
    return { idleLockSeconds: await this.idleLockSeconds() }
  }

  async update(session: Session, input: { idleLockSeconds: number }): Promise<{ idleLockSeconds: number }> {
    await this.db.transaction(async (trx) => {
      const before = await trx('settings').where({ key: IDLE_LOCK_KEY }).first()
      await trx('settings')
        .insert({ key: IDLE_LOCK_KEY, value: String(input.idleLockSeconds) })
        .onConflict('key')
        .merge()
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'settings.update',
        entity: 'settings',
        entityKey: IDLE_LOCK_KEY,
        before: before ? Number(before.value) : null,
        after: input.idleLockSeconds,
      })
    })
    return this.get()
  }
}
