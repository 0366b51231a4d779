import type { Knex } from 'knex'
import { argsWithoutSecrets, carriesSecrets } from './problemSecrets'

/**
 * Everything waiting to be sent, as JSON HQ can load by hand. A credential change goes without its
 * password and key: they are sealed with this PC's data key, which HQ does not have, and opened they
 * would be a person's password in a file carried by hand. HQ cannot apply such a change (central checks
 * the current password), so the file marks it for the person to do again. Needs no data key, so a PC
 * whose key is lost can still hand its unsent work over.
 */
export async function outboxExport(db: Knex, now: Date) {
  const rows = await db('outbox').orderBy('id')
  const state = await db('sync_state').where({ id: 1 }).first()
  const clientId: string | null = state?.client_id ?? null
  return {
    clientId,
    rows: rows.length,
    fileName: `outbox-${clientId ?? 'unenrolled'}-${now.toISOString().replace(/[:.]/g, '')}.json`,
    content: JSON.stringify(
      {
        clientId,
        exportedAt: now.toISOString(),
        mutations: rows.map((r) => ({
          localId: r.id,
          id: r.mutation_id,
          name: r.name,
          args: JSON.parse(argsWithoutSecrets(r.name, r.args_json)),
          ...(carriesSecrets(r.name) ? { secretsRemoved: true } : {}),
          createdAt: r.created_at,
          actor: r.actor,
        })),
      },
      null,
      2,
    ),
  }
}
