import type { Knex } from 'knex'
import type { MutationName } from '../../shared/syncProtocol'
import { MUTATORS } from '../../core/mutators'
import type { SecretBox } from '../../core/security/secretBox'
import type { Clock } from '../clock'

export type { MutationName } from '../../shared/syncProtocol'

/** 緊急停止 rows go to the front of the outbox (DOMAIN.md: sent to central ahead of other queued work). */
export const SUSPENSION_PRIORITY = 10

const SEALED_PREFIX = 'sealed:'

/**
 * The queue of mutations for central. A row is added in the same transaction as the change it reports,
 * so a change is never committed without its mutation (or the other way round). Secret arguments (an
 * authenticator key) are sealed at rest and opened only when the push is built.
 */
export class Outbox {
  /** Called after a row is added, so the sync scheduler can send it soon (at once for a suspension). */
  onAdded: (urgent: boolean) => void = () => {}

  constructor(
    private readonly clock: Clock,
    private readonly secretBox: SecretBox,
  ) {}

  async add(
    trx: Knex.Transaction,
    name: MutationName,
    args: Record<string, unknown>,
    actor: string,
    options: { cif: string | null; priority?: number },
  ): Promise<number> {
    const stored = { ...args }
    for (const field of MUTATORS[name].secretArgs ?? []) {
      stored[field] =
        SEALED_PREFIX + this.secretBox.seal(Buffer.from(String(args[field]), 'utf8'), `outbox:${field}`)
    }
    const [id] = await trx('outbox').insert({
      name,
      args_json: JSON.stringify(stored),
      actor,
      cif: options.cif,
      priority: options.priority ?? 0,
      created_at: this.clock.now().toISOString(),
    })
    // After the caller's commit, typically: the scheduler waits a moment before it reads the outbox.
    this.onAdded((options.priority ?? 0) > 0)
    return id as number
  }

  /** A stored row's arguments with secrets opened: for the push body and for re-applying it locally. */
  openArgs(row: { name: string; args_json: string }): Record<string, unknown> {
    const args = JSON.parse(row.args_json) as Record<string, unknown>
    const secretArgs = MUTATORS[row.name as MutationName]?.secretArgs ?? []
    for (const field of secretArgs) {
      const value = args[field]
      if (typeof value === 'string' && value.startsWith(SEALED_PREFIX))
        args[field] = this.secretBox
          .open(value.slice(SEALED_PREFIX.length), `outbox:${field}`)
          .toString('utf8')
    }
    return args
  }

  /** A stored row's arguments as an export or a screen may show them: secrets stay sealed. */
  shownArgs(row: { args_json: string }): unknown {
    return JSON.parse(row.args_json)
  }

  /**
   * What waits to be sent, in sending order (SYNC-PROTOCOL.md): rows already numbered keep their ids;
   * then each suspension with its customer's earlier work, then everything else in the order it was done.
   */
  async pending(db: Knex): Promise<{ id: number; name: MutationName; args: unknown; priority: number }[]> {
    const rows = await db('outbox').orderBy('id')
    return sendingOrder(rows).map((r) => ({
      id: r.id,
      name: r.name,
      args: this.shownArgs(r),
      priority: r.priority,
    }))
  }
}

interface OrderedRow {
  id: number
  cif: string | null
  priority: number
  mutation_id: number | null
}

/**
 * The order rows are numbered and sent in. A customer's mutations keep the order they were made in; an
 * emergency suspension may overtake other customers' work only, taking its own customer's earlier
 * mutations along (SYNC-PROTOCOL.md: Push).
 */
export function sendingOrder<R extends OrderedRow>(rows: R[]): R[] {
  const numbered = rows.filter((r) => r.mutation_id !== null).sort((a, b) => a.mutation_id! - b.mutation_id!)
  const waiting = rows.filter((r) => r.mutation_id === null).sort((a, b) => a.id - b.id)
  const first: R[] = []
  const taken = new Set<number>()
  for (const s of waiting) {
    if (s.priority <= 0 || taken.has(s.id)) continue
    for (const r of waiting) {
      if (r.id > s.id) break
      if (!taken.has(r.id) && (r.id === s.id || (s.cif !== null && r.cif === s.cif))) {
        first.push(r)
        taken.add(r.id)
      }
    }
  }
  return [...numbered, ...first, ...waiting.filter((r) => !taken.has(r.id))]
}
