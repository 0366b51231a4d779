import type { Knex } from 'knex'
import { MAX_PATCH_ENTRIES } from '../shared/syncProtocol'

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
}

/**
 * A branch's tokens (tokens have no branch column): driven by the tokens' own version index, with the
 * customer's branch checked per token. A join lets the planner read every customer of the branch
 * first, i.e. the whole branch on every page of a bootstrap.
 */
export function tokensOfBranch(trx: Knex.Transaction, branch: string): Knex.QueryBuilder {
  return trx('tokens as t').whereExists(
    trx('customers as c').select(trx.raw('1')).whereRaw('c.cif = t.cif').andWhere('c.branch_code', branch),
  )
}

/** Where a pull's changes live, each filtered as the pull filters its rows, and its version column. */
function changeSources(trx: Knex.Transaction, branch: string, fromScratch: boolean) {
  const sources: { rows: () => Knex.QueryBuilder; version: string }[] = [
    { rows: () => trx('customers').where({ branch_code: branch }), version: 'version' },
    { rows: () => tokensOfBranch(trx, branch), version: 't.version' },
    { rows: () => trx('requests').where({ branch_code: branch }), version: 'version' },
    { rows: () => trx('staff').where({ branch_code: branch }).andWhere('active', true), version: 'version' },
    { rows: () => trx('inventory').where({ branch_code: branch }), version: 'version' },
  ]
  if (!fromScratch)
    sources.push({ rows: () => trx('tombstones').where({ branch_code: branch }), version: 'version' })
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
  const versions: number[] = []
  for (const { rows, version } of sources) {
    const page = await rows()
      .andWhere(version, '>', since)
      .orderBy(version)
      .limit(room + 1)
      .select({ v: version })
    for (const row of page) versions.push(Number(row.v))
  }
  if (versions.length <= room) return { upTo: current, cookie: current, more: false, remaining: 0 }
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
  return { upTo, cookie: upTo, more: remaining > 0, remaining }
}
