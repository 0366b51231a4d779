import type { Knex } from 'knex'
import type { Clock } from '../clock'

/** How recent a good contact with central must be to count as online. */
const ONLINE_WITHIN_MS = 2 * 60 * 1000

/**
 * Whether central can be reached now. Without a central URL the workstation is offline by definition;
 * with one, it is online while its latest sync attempt succeeded and that was recent (the sync
 * scheduler records both).
 */
export class Connectivity {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly centralUrl: string | undefined,
  ) {}

  async online(): Promise<boolean> {
    const state = await this.db('sync_state').where({ id: 1 }).first()
    if (!this.centralUrl && !state?.central_url) return false
    // The latest attempt failed: central is not reachable now, whatever worked before.
    if (!state?.last_success_at || state.last_error) return false
    return this.clock.now().getTime() - new Date(state.last_success_at).getTime() <= ONLINE_WITHIN_MS
  }
}
