import { spawnSync } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { auditHash, GENESIS_HASH, type AuditRow } from '../../src/core/auditChain'
import { currentAnchor, verifyAgainstAnchor } from '../../src/main/services/auditAnchor'
import { login } from '../support/counter'
import { tempApp, type TempApp } from '../support/tempApp'

let app: TempApp
beforeEach(async () => {
  app = await tempApp()
  for (let i = 0; i < 3; i++) {
    await login(app, 'pc', 'T001')
    await app.invoke('pc', 'auth.logout', {})
  }
})
afterEach(() => app.close())

/** An insider with the file can drop the triggers that refuse edits; the anchor must still tell. */
async function asInsider(): Promise<void> {
  await app.services.db.raw('DROP TRIGGER audit_no_update')
  await app.services.db.raw('DROP TRIGGER audit_no_delete')
}

function verifyCli(anchor?: { count: number; hash: string }) {
  const args = ['--import', 'tsx', 'src/main/cli/auditVerify.ts', '--db', app.dbFile]
  if (anchor) args.push('--anchor-count', String(anchor.count), '--anchor-hash', anchor.hash)
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' })
  return { status: run.status, out: run.stdout + run.stderr }
}

/** Rewrites the chain from the first row with fresh hashes, as an insider with the file could. */
async function rehashAll(): Promise<void> {
  const rows = await app.services.db<AuditRow>('audit').select('*').orderBy('id')
  let prev = GENESIS_HASH
  for (const row of rows) {
    const next = { ...row, prev_hash: prev }
    const hash = auditHash(next)
    await app.services.db('audit').where({ id: row.id }).update({ prev_hash: prev, hash })
    prev = hash
  }
}

describe('audit anchoring', () => {
  it('a whole chain that grew after the anchor passes', async () => {
    const anchor = await currentAnchor(app.services.db)
    await login(app, 'pc', 'T002')
    expect(await verifyAgainstAnchor(app.services.db, anchor)).toMatchObject({ ok: true })
    await app.services.db.destroy()
    expect(verifyCli(anchor)).toMatchObject({ status: 0 })
  })

  it('reports a tail cut off cleanly, which the chain alone does not see', async () => {
    const anchor = await currentAnchor(app.services.db)
    await asInsider()
    const lastIds = await app.services.db('audit').orderBy('id', 'desc').limit(2).pluck('id')
    await app.services.db('audit').whereIn('id', lastIds).delete()
    expect(await verifyAgainstAnchor(app.services.db, anchor)).toMatchObject({
      ok: false,
      reason: 'cut_short',
      anchoredRows: anchor.count,
    })
    await app.services.db.destroy()
    expect(verifyCli()).toMatchObject({ status: 0 }) // the chain alone still looks fine
    const anchored = verifyCli(anchor)
    expect(anchored.status).toBe(1)
    expect(anchored.out).toContain('cut short')
  })

  it('reports a chain rewritten with fresh hashes after it was anchored', async () => {
    const anchor = await currentAnchor(app.services.db)
    await asInsider()
    const first = await app.services.db('audit').orderBy('id').first()
    await app.services.db('audit').where({ id: first.id }).update({ actor: 'X999' })
    await rehashAll()
    expect(await verifyAgainstAnchor(app.services.db, anchor)).toMatchObject({
      ok: false,
      reason: 'rewritten',
    })
    await app.services.db.destroy()
    expect(verifyCli()).toMatchObject({ status: 0 })
    const anchored = verifyCli(anchor)
    expect(anchored.status).toBe(1)
    expect(anchored.out).toContain('rewritten')
  })

  it('still reports an edited row as a broken chain', async () => {
    const anchor = await currentAnchor(app.services.db)
    await asInsider()
    const first = await app.services.db('audit').orderBy('id').first()
    await app.services.db('audit').where({ id: first.id }).update({ actor: 'X999' })
    expect(await verifyAgainstAnchor(app.services.db, anchor)).toMatchObject({
      ok: false,
      reason: 'chain_broken',
    })
  })
})

describe('the anchor central keeps from each push', () => {
  it('audit:verify --central-db reports a tail cut off after the last push', async () => {
    const { startCentral } = await import('../support/central')
    const central = await startCentral('sqlite')
    try {
      await app.services.syncClient.enroll({
        centralUrl: central.url,
        enrollmentCode: await central.enrollmentCode('001'),
        workstationName: 'pc',
      })
      await login(app, 'pc', 'T001')
      const cif = (await app.services.db('customers').where({ otp_status: 'in_use' }).first()).cif
      const asked = await app.invoke('pc', 'revocations.request', {
        cif,
        channel: 'in_person',
        reason: 'unneeded',
        identity: { kind: 'passport', last4: '1234' },
      })
      expect(asked.ok).toBe(true)
      await app.services.syncClient.syncOnce()
      const anchored = await central.db('clients').first('audit_count', 'audit_hash')
      expect(Number(anchored.audit_count)).toBeGreaterThan(0)
      const centralFile = (central.db.client.config.connection as { filename: string }).filename

      await app.services.db.destroy()
      expect(verifyCentral(centralFile)).toMatchObject({ status: 0 })
      const { openDb } = await import('../../src/main/db/connection')
      const db = openDb(app.dbFile)
      await db.raw('DROP TRIGGER audit_no_delete')
      const last = await db('audit').orderBy('id', 'desc').first('id')
      await db('audit').where({ id: last.id }).delete()
      await db.destroy()
      const cut = verifyCentral(centralFile)
      expect(cut.status).toBe(1)
      expect(cut.out).toContain('cut short')
    } finally {
      await central.close()
    }
  }, 120_000)
})

function verifyCentral(centralFile: string) {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/main/cli/auditVerify.ts', '--db', app.dbFile, '--central-db', centralFile],
    { encoding: 'utf8' },
  )
  return { status: run.status, out: run.stdout + run.stderr }
}
