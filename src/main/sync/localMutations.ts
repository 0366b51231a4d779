import type { Knex } from 'knex'
import { DomainError } from '../../shared/result'
import { ERROR_CODES, type ErrorCode } from '../../shared/errors'
import type { MutationName } from '../../shared/syncProtocol'
import { applyMutation, Rejection } from '../../core/mutators'
import type { SecretBox } from '../../core/security/secretBox'
import type { Clock } from '../clock'
import type { Outbox } from '../services/outbox'
import { BranchStore } from './branchStore'

/** A rule's code as the counter screen knows it; central-only codes read as a conflict. */
function counterCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'CONFLICT'
}

async function branchCode(trx: Knex.Transaction): Promise<string> {
  const branch = await trx('branches').first('code')
  if (!branch) throw new DomainError('CONFLICT', 'this workstation has no branch yet')
  return branch.code
}

/**
 * The branch's half of the mutators (Replicache's client): a counter change is applied optimistically
 * through the same mutator central runs, in the caller's transaction with its outbox row; a pull undoes
 * the pending ones, lays central's state down and re-applies them, so the screen always shows central's
 * state plus this PC's pending work.
 */
export class LocalMutations {
  constructor(
    private readonly clock: Clock,
    private readonly secretBox: SecretBox,
    private readonly outbox: Outbox,
  ) {}

  /** Queues the mutation and applies it to this PC's view; a rule's refusal rolls the caller back. */
  async commit(
    trx: Knex.Transaction,
    name: MutationName,
    args: Record<string, unknown>,
    actor: string,
    options: { cif: string | null; priority?: number },
  ): Promise<void> {
    const outboxId = await this.outbox.add(trx, name, args, actor, options)
    const now = this.clock.now().toISOString()
    const code = await branchCode(trx)
    const store = new BranchStore(trx, code, this.secretBox, now, outboxId)
    try {
      await applyMutation({ store, branchCode: code, actor, at: now, side: 'branch' }, name, args)
    } catch (e) {
      if (e instanceof Rejection) throw new DomainError(counterCode(e.code), e.message)
      throw e
    }
  }

  /**
   * Rebase (SYNC-PROTOCOL.md: Pull): undo every pending mutation's changes, newest first; lay down
   * central's patch; drop the rows central acknowledged; re-apply the rest in the order they were made.
   * Acknowledged rows are re-applied too, without keeping their changes: central has them, and a patch
   * that does not show them yet must not hide them. A mutation central rejected is not re-applied.
   */
  async rebase(
    trx: Knex.Transaction,
    work: { applyPatch?: () => Promise<void>; acknowledgedUpTo: number; rejected?: ReadonlySet<number> },
  ): Promise<void> {
    // Foreign keys are checked at commit: between undo and re-apply a row may briefly lack its parent.
    await trx.raw('PRAGMA defer_foreign_keys = ON')
    const images = await trx('rebase_undo').orderBy('id', 'desc')
    for (const image of images) await restore(trx, image)
    await trx('rebase_undo').delete()
    if (work.applyPatch) await work.applyPatch()
    const rows = await trx('outbox').orderBy('id')
    const code = await branchCode(trx)
    const now = this.clock.now().toISOString()
    for (const row of rows) {
      const acknowledged = row.mutation_id !== null && row.mutation_id <= work.acknowledgedUpTo
      if (work.rejected?.has(row.id)) continue
      let rebaseCode: string | null = null
      try {
        await trx.transaction((sp) =>
          applyMutation(
            {
              store: new BranchStore(sp, code, this.secretBox, now, acknowledged ? null : row.id),
              branchCode: code,
              actor: row.actor,
              at: row.created_at,
              side: 'branch',
            },
            row.name,
            this.outbox.openArgs(row),
          ),
        )
      } catch (e) {
        if (!(e instanceof Rejection)) throw e
        rebaseCode = e.code
      }
      if (!acknowledged && rebaseCode !== row.rebase_code)
        await trx('outbox').where({ id: row.id }).update({ rebase_code: rebaseCode })
    }
    await trx('outbox').where('mutation_id', '<=', work.acknowledgedUpTo).delete()
    await keepRecordsOfRefusedWork(trx, images)
  }
}

async function restore(
  trx: Knex.Transaction,
  image: { tbl: string; key_json: string; before_json: string | null },
): Promise<void> {
  const where = JSON.parse(image.key_json) as Record<string, string | number>
  if (image.before_json === null) {
    await trx(image.tbl).where(where).delete()
    return
  }
  // Only the columns the mutation changed (or the whole row it replaced); a row central removed meanwhile
  // stays removed.
  await trx(image.tbl).where(where).update(JSON.parse(image.before_json))
}

/**
 * A request this PC recorded stays on record even when its mutation no longer applies: a receipt points
 * at it (the fee was taken). It is kept as refused, and 同期エラー tells a supervisor what to do.
 */
async function keepRecordsOfRefusedWork(
  trx: Knex.Transaction,
  images: { tbl: string; key_json: string; before_json: string | null; after_json: string | null }[],
): Promise<void> {
  for (const image of images) {
    if (image.tbl !== 'requests' || image.before_json !== null || !image.after_json) continue
    const { id } = JSON.parse(image.key_json) as { id: string }
    if (await trx('requests').where({ id }).first('id')) continue
    if (!(await trx('receipts').where({ request_id: id }).first('receipt_no'))) continue
    await trx('requests').insert({ ...JSON.parse(image.after_json), state: 'refused' })
  }
}
