import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { checkIntegrity, openDb } from '../db/connection'
import { verifyAuditChain } from '../services/audit'

/** `npm run audit:verify -- --db FILE`: walks the audit hash chain; prints "ok" or the first broken link. */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { db: { type: 'string' } } })
  if (!values.db) {
    console.error('usage: npm run audit:verify -- --db FILE')
    return 2
  }
  if (!existsSync(values.db)) {
    console.error(`no database at ${values.db}`)
    return 2
  }
  await checkIntegrity(values.db)
  const db = openDb(values.db)
  try {
    const verdict = await verifyAuditChain(db)
    if (verdict.ok) {
      console.log(`ok (${verdict.rows} audit rows)`)
      return 0
    }
    console.log(`broken at audit row ${verdict.brokenAt}: ${verdict.reason}`)
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
