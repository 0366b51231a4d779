import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { checkIntegrity, openDb } from '../db/connection'
import { verifyAuditChain } from '../services/audit'
import { verifyAgainstAnchor } from '../services/auditAnchor'

const USAGE = 'usage: npm run audit:verify -- --db FILE [--anchor-count N --anchor-hash HEX]'

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
    if (!hasCount) {
      const verdict = await verifyAuditChain(db)
      if (verdict.ok) {
        console.log(`ok (${verdict.rows} audit rows)`)
        return 0
      }
      console.log(`broken at audit row ${verdict.brokenAt}: ${verdict.reason}`)
      return 1
    }
    const verdict = await verifyAgainstAnchor(db, { count, hash: values['anchor-hash']! })
    if (verdict.ok) {
      console.log(`ok (${verdict.rows} audit rows; the first ${count} match the anchor)`)
      return 0
    }
    if (verdict.reason === 'chain_broken')
      console.log(`broken at audit row ${verdict.brokenAt}: ${verdict.detail}`)
    else if (verdict.reason === 'cut_short')
      console.log(`cut short: ${verdict.rows} audit rows, but ${verdict.anchoredRows} were anchored`)
    else console.log(`rewritten: audit row ${verdict.atRow} does not carry the anchored hash`)
    return 1
  } finally {
    await db.destroy()
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.message)
    process.exit(2)
  },
)
