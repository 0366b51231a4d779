import type { Knex } from 'knex'
import type { Clock } from '../clock'

/** SYNC-PROTOCOL.md mutation names. */
export type MutationName =
  | 'token.issue_hard'
  | 'token.suspend'
  | 'revocation.request'
  | 'revocation.approve'
  | 'revocation.reject'
  | 'revocation.withdraw'
  | 'fee.void'
  | 'ledger.close_day'
  | 'inventory.write_off'

/**
 * The queue of mutations for central. A row is added in the same transaction as the change it
 * reports, so a change is never committed without its mutation (or the other way round).
 */
export class Outbox {
  /** Called after a row is added, so the sync scheduler can send it soon. */
  onAdded: () => void = () => {}

  constructor(private readonly clock: Clock) {}

  async add(
    trx: Knex.Transaction,
    name: MutationName,
    args: object,
    actor: string,
    priority = 0,
  ): Promise<number> {
    const [id] = await trx('outbox').insert({
      name,
      args_json: JSON.stringify(args),
      actor,
      priority,
      created_at: this.clock.now().toISOString(),
    })
    // After the caller's commit, typically: the scheduler waits a moment before it reads the outbox.
    this.onAdded()
    return id as number
  }

  /**
   * What waits to be sent, in sending order: suspensions first (priority), then in the order the work
   * was done. The sync client numbers mutations in this order when it sends them.
   */
  async pending(db: Knex): Promise<{ id: number; name: MutationName; args: unknown; priority: number }[]> {
    const rows = await db('outbox').orderBy([{ column: 'priority', order: 'desc' }, { column: 'id' }])
    return rows.map((r) => ({ id: r.id, name: r.name, args: JSON.parse(r.args_json), priority: r.priority }))
  }
}
