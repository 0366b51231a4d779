import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { checkIntegrity, openDb } from '../db/connection'
import { verifyAuditChain } from '../../core/auditChain'
import knex, { type Knex } from 'knex'
import { verifyAgainstAnchor, type AnchoredVerdict, type AuditAnchor } from '../services/auditAnchor'

const USAGE = `usage: npm run audit:verify -- --db FILE [--anchor-count N --anchor-hash HEX | --central-db FILE_OR_URL]
  --central-db: read the anchor central recorded from this PC's last push (central's SQLite file, or a
  postgres:// URL), for the client this database is enrolled as`

/**
 * `npm run audit:verify -- --db FILE`: walks the audit hash chain; prints "ok" or the first broken link.
 * With an anchor (the row count and last hash central recorded from this PC's pushes) it also reports a
 * chain cut short or rewritten after it was anchored.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      'anchor-count': { type: 'string' },
      'anchor-hash': { type: 'string' },
      'central-db': { type: 'string' },
    },
  })
  if (!values.db) {
    console.error(USAGE)
    return 2
  }
  const hasCount = values['anchor-count'] !== undefined
  const hasHash = values['anchor-hash'] !== undefined
  const count = Number(values['anchor-count'])
  if (hasCount !== hasHash || (hasCount && !(Number.isInteger(count) && count >= 0))) {
    console.error(`give both --anchor-count (a whole number) and --anchor-hash\n${USAGE}`)
    return 2
  }
  if (hasHash && !/^[0-9a-f]{64}$/.test(values['anchor-hash']!) && count > 0) {
    console.error('--anchor-hash is 64 hexadecimal characters')
    return 2
  }
  if (!existsSync(values.db)) {
    console.error(`no database at ${values.db}`)
    return 2
  }
  await checkIntegrity(values.db)
  const db = openDb(values.db)
  try {
    if (values['central-db']) {
      if (hasCount) {
        console.error(`give either --central-db or --anchor-count/--anchor-hash\n${USAGE}`)
        return 2
      }
      const fromCentral = await anchorAtCentral(db, values['central-db'])
      if (!fromCentral) {
        console.error('central holds no audit anchor for this PC (not enrolled, or never pushed)')
        return 2
      }
      return report(await verifyAgainstAnchor(db, fromCentral), fromCentral.count)
    }
    if (!hasCount) {
      const verdict = await verifyAuditChain(db, 'audit')
      if (verdict.ok) {
        console.log(`ok (${verdict.rows} audit rows)`)
        return 0
      }
      console.log(`broken at audit row ${verdict.brokenAt}: ${BROKEN[verdict.reason]}`)
      return 1
    }
    return report(await verifyAgainstAnchor(db, { count, hash: values['anchor-hash']! }), count)
  } finally {
    await db.destroy()
  }
}

const BROKEN = {
  link: 'prev_hash does not match the previous row',
  content: 'row content does not match its hash',
} as const

function report(verdict: AnchoredVerdict, count: number): number {
  if (verdict.ok) {
    console.log(`ok (${verdict.rows} audit rows; the first ${count} match the anchor)`)
    return 0
  }
  if (verdict.reason === 'chain_broken')
    console.log(`broken at audit row ${verdict.brokenAt}: ${BROKEN[verdict.detail]}`)
  else if (verdict.reason === 'cut_short')
    console.log(`cut short: ${verdict.rows} audit rows, but ${verdict.anchoredRows} were anchored`)
  else console.log(`rewritten: audit row ${verdict.atRow} does not carry the anchored hash`)
  return 1
}

/** The anchor central keeps for this PC (clients.audit_count / audit_hash, written on every push). */
async function anchorAtCentral(db: Knex, central: string): Promise<AuditAnchor | null> {
  const state = await db('sync_state').where({ id: 1 }).first()
  if (!state?.client_id) return null
  const centralDb = /^postgres(ql)?:\/\//.test(central)
    ? knex({ client: 'pg', connection: central })
    : knex({ client: 'sqlite3', connection: { filename: central }, useNullAsDefault: true })
  try {
    const row = await centralDb('clients')
      .where({ client_id: state.client_id })
      .first('audit_count', 'audit_hash')
    if (!row || row.audit_count === null || row.audit_hash === null) return null
    return { count: Number(row.audit_count), hash: String(row.audit_hash) }
  } finally {
    await centralDb.destroy()
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.message)
    process.exit(2)
  },
)
