import type { Knex } from 'knex'
import { MAX_PATCH_ENTRIES, SYNC_ENTITY_NAMES, type SyncEntity } from '../shared/syncProtocol'
import { PULL_SOURCES } from './pullEntities'

/**
 * Which versions one pull sends (issue 11: a branch of 100,000 customers bootstraps in pages of 5,000
 * entries). A page is every change up to a version boundary, within 5,000 entries. Reading every change
 * after the cookie to find that boundary made each page of a bootstrap read the whole branch
 * (quadratic); here only the versions are read, at most 5,001 per kind from the version indexes, and
 * then only the rows of the page.
 */
export interface PullWindow {
  /** Send changes with since < version ≤ upTo. */
  upTo: number
  /** The cookie to hand back. */
  cookie: number
  more: boolean
  /** Entries after this page (the branch shows the bootstrap's progress from it). */
  remaining: number
  /** Whether this kind has a change in the page: the pull reads no table that has none. */
  has(kind: ChangeKind): boolean
}

/** A synced entity, or the tombstones of rows that left the branch's view. */
export type ChangeKind = SyncEntity | 'tombstones'

/** Where a pull's changes live, each filtered as the pull filters its rows, and its version column. */
function changeSources(trx: Knex.Transaction, branch: string, fromScratch: boolean) {
  const sources: { kind: ChangeKind; rows: () => Knex.QueryBuilder; version: string }[] =
    SYNC_ENTITY_NAMES.map((entity) => ({
      kind: entity,
      rows: () => PULL_SOURCES[entity].rows(trx, branch),
      version: PULL_SOURCES[entity].version,
    }))
  if (!fromScratch)
    sources.push({
      kind: 'tombstones',
      rows: () => trx('tombstones').where({ branch_code: branch }),
      version: 'version',
    })
  return sources
}

export async function pullWindow(
  trx: Knex.Transaction,
  branch: string,
  since: number,
  current: number,
  fromScratch: boolean,
): Promise<PullWindow> {
  const sources = changeSources(trx, branch, fromScratch)
  // A first pull starts with `clear`, which counts as an entry (SYNC-PROTOCOL: at most 5,000 a page).
  const room = fromScratch ? MAX_PATCH_ENTRIES - 1 : MAX_PATCH_ENTRIES
  // One statement for every kind (each kind's first versions after the cookie, from its version
  // index): a pull that finds nothing or little — most of them — costs one round trip here, not one per kind.
  const probes = sources.map(({ rows, version }, index) =>
    trx
      .from(
        rows()
          .andWhere(version, '>', since)
          .orderBy(version)
          .limit(room + 1)
          .select({ v: version })
          .as(`p${index}`),
      )
      .select(trx.raw(`${index} as k`), 'v'),
  )
  const [head, ...rest] = probes
  const found = (await head!.unionAll(rest)) as { k: number | string; v: number | string }[]
  const versions: number[] = []
  const first = new Map<ChangeKind, number>()
  for (const row of found) {
    const v = Number(row.v)
    const kind = sources[Number(row.k)]!.kind
    versions.push(v)
    if (v < (first.get(kind) ?? Infinity)) first.set(kind, v)
  }
  const within = (upTo: number) => (kind: ChangeKind) => (first.get(kind) ?? Infinity) <= upTo
  if (versions.length <= room)
    return { upTo: current, cookie: current, more: false, remaining: 0, has: within(current) }
  versions.sort((a, b) => a - b)
  // Cut at a version boundary so the cookie means "everything up to here"; only a single version
  // holding more rows than a page makes a bigger page.
  const firstLeftOut = versions[room]!
  const upTo = versions[0]! < firstLeftOut ? firstLeftOut - 1 : firstLeftOut
  let remaining = 0
  for (const { rows, version } of sources) {
    const [counted] = await rows().andWhere(version, '>', upTo).count({ n: '*' })
    remaining += Number(counted?.['n'] ?? 0)
  }
  return { upTo, cookie: upTo, more: remaining > 0, remaining, has: within(upTo) }
}
