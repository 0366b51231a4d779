import type { Knex } from 'knex'
import type { Clock } from '../clock'

/** SYNC-PROTOCOL.md mutation names. */
export type MutationName =
  | 'token.issue_hard'
  | 'token.suspend'
  | 'revocation.request'
  | 'revocation.approve'
  | 'revocation.reject'
  | 'fee.void'
  | 'ledger.close_day'
  | 'inventory.write_off'

/**
 * The queue of mutations for central. A row is added in the same transaction as the change it
 * reports, so a change is never committed without its mutation (or the other way round).
 */
export class Outbox {
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
    return id as number
  }
}
