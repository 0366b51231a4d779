import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { auditHash, type AuditRow } from '../../src/core/auditChain'
import { listAuditAlerts } from '../../src/central/auditAlerts'
import { CENTRAL_ENGINES, startCentral, type TestCentral } from '../support/central'
import { login } from '../support/counter'
import { tempApp, type TempApp } from '../support/tempApp'

/**
 * Central flags a branch PC's audit log that was cut short or rewritten after a push anchored it, by
 * itself, on the next push: a real central on 127.0.0.1 (SQLite and PostgreSQL) and a branch on a real
 * SQLite file whose audit rows an insider deletes from the tail or rewrites.
 */
let central: TestCentral | undefined
let branch: TempApp | undefined
afterEach(async () => {
  await branch?.close()
  await central?.close()
  branch = central = undefined
})

const HQ_SUPERVISOR = { kind: 'hq' as const, staffId: 'HQ101', role: 'hq_supervisor' as const }

async function setUp(engine: 'sqlite' | 'postgres') {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  central = await startCentral(engine, { logger: pino({ level: 'info' }, sink) })
  branch = await tempApp()
  await branch.services.syncClient.enroll({
    centralUrl: central.url,
    enrollmentCode: await central.enrollmentCode('001'),
    workstationName: '窓口1',
  })
  // A log of some length before the anchor: a few logins and logouts, then work to push.
  for (let i = 0; i < 4; i++) {
    await login(branch, 'pc', 'T002')
    await branch.invoke('pc', 'auth.logout', {})
  }
  await login(branch, 'pc', 'T001')
  await revocationRequest(0)
  await branch.services.syncClient.syncOnce()
  return { lines, anchor: await centralAnchor() }
}

/** A piece of the branch's work waiting to be pushed (so the next sync pushes), and its audit rows. */
async function revocationRequest(i: number): Promise<string> {
  const cif = await branch!.services
    .db('customers')
    .where({ otp_status: 'in_use' })
    .orderBy('cif')
    .offset(i)
    .first()
    .then((c) => c.cif as string)
  const asked = await branch!.invoke('pc', 'revocations.request', {
    cif,
    channel: 'in_person',
    reason: 'unneeded',
    identity: { kind: 'passport', last4: '1234' },
  })
  expect(asked.ok, JSON.stringify(asked)).toBe(true)
  return cif
}

async function centralAnchor() {
  const row = await central!
    .db('clients')
    .first('client_id', 'audit_count', 'audit_hash', 'audit_anchored_at')
  return { clientId: String(row.client_id), count: Number(row.audit_count), hash: String(row.audit_hash) }
}

async function branchAudit() {
  const db = branch!.services.db
  const [counted] = await db('audit').count<{ n: number }[]>({ n: '*' })
  const n = counted?.n ?? 0
  const last = await db('audit').orderBy('id', 'desc').first('hash')
  return { count: Number(n), hash: String(last.hash) }
}

/** What an insider with the file can do: drop the triggers that refuse edits and deletes. */
async function asInsider(): Promise<void> {
  await branch!.services.db.raw('DROP TRIGGER audit_no_update')
  await branch!.services.db.raw('DROP TRIGGER audit_no_delete')
}

async function deleteTail(rows: number): Promise<void> {
  const ids = await branch!.services.db('audit').orderBy('id', 'desc').limit(rows).pluck('id')
  await branch!.services.db('audit').whereIn('id', ids).delete()
}

/** Rewrites the last row (its actor) with a fresh, self-consistent hash, so the chain alone still passes. */
async function rewriteLastRow(): Promise<void> {
  const db = branch!.services.db
  const row = await db<AuditRow>('audit').orderBy('id', 'desc').first()
  const edited = { ...row!, actor: 'X999' }
  await db('audit')
    .where({ id: row!.id })
    .update({ actor: 'X999', hash: auditHash(edited) })
}

const alertsIn = (lines: string[]) =>
  lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l['event'] === 'audit_anchor_alert')

for (const engine of CENTRAL_ENGINES) {
  describe(`central flags a cut or rewritten branch audit (${engine})`, () => {
    it('a tail cut off: flagged as cut, the push still applied, the anchor kept', async () => {
      const { lines, anchor } = await setUp(engine)
      expect(anchor.count).toBeGreaterThan(0)
      const before = await branchAudit()
      expect(before).toEqual({ count: anchor.count, hash: anchor.hash })

      // New work (a mutation to push and its audit rows), then the insider cuts the tail below the anchor.
      const cif = await revocationRequest(1)
      await asInsider()
      const grown = (await branchAudit()).count - anchor.count
      await deleteTail(grown + 3)
      const sent = await branchAudit()
      expect(sent.count).toBe(anchor.count - 3)
      await branch!.services.syncClient.syncOnce()

      // The branch's work is not lost: its request reached central, the outbox drained.
      expect(await central!.db('requests').where({ cif, kind: 'revocation' }).first()).toBeTruthy()
      expect(await branch!.services.db('outbox').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }])
      // The anchor keeps the last good values.
      expect(await centralAnchor()).toEqual(anchor)
      const rows = await central!.db('audit_alerts').select('*')
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({
        client_id: anchor.clientId,
        branch_code: '001',
        workstation_no: '01',
        kind: 'cut',
        anchored_hash: anchor.hash,
        received_hash: sent.hash,
      })
      expect(Number(rows[0].anchored_count)).toBe(anchor.count)
      expect(Number(rows[0].received_count)).toBe(sent.count)
      // Central's log says so, once, without the client's secret.
      const logged = alertsIn(lines)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toMatchObject({
        level: 40,
        kind: 'cut',
        branch: '001',
        anchoredCount: anchor.count,
        receivedCount: sent.count,
      })
      const state = await branch!.services.db('sync_state').first('secret_sealed')
      expect(lines.join('\n')).not.toContain(state.secret_sealed)

      // The next push of the same short log is not a second alert; HQ sees the one.
      await revocationRequest(2)
      await deleteTail((await branchAudit()).count - sent.count)
      await branch!.services.syncClient.syncOnce()
      expect(await central!.db('audit_alerts').count<{ n: number }[]>({ n: '*' })).toEqual([
        { n: engine === 'postgres' ? '1' : 1 },
      ])
      expect(await centralAnchor()).toEqual(anchor)
      const forHq = await listAuditAlerts({
        db: central!.db,
        secretBox: central!.secretBox,
        actor: HQ_SUPERVISOR,
        now: new Date(),
      })
      expect(forHq).toEqual([
        expect.objectContaining({
          branch: '001',
          workstationName: '窓口1',
          kind: 'cut',
          anchoredCount: anchor.count,
          receivedCount: sent.count,
        }),
      ])
    }, 120_000)

    it('the same count with another last hash: flagged as rewritten', async () => {
      const { lines, anchor } = await setUp(engine)
      await revocationRequest(1)
      await asInsider()
      await deleteTail((await branchAudit()).count - anchor.count)
      await rewriteLastRow()
      const sent = await branchAudit()
      expect(sent.count).toBe(anchor.count)
      expect(sent.hash).not.toBe(anchor.hash)
      await branch!.services.syncClient.syncOnce()

      expect(await centralAnchor()).toEqual(anchor)
      const rows = await central!.db('audit_alerts').select('*')
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({
        kind: 'rewritten',
        anchored_hash: anchor.hash,
        received_hash: sent.hash,
      })
      expect(alertsIn(lines)).toEqual([expect.objectContaining({ kind: 'rewritten', branch: '001' })])
    }, 120_000)

    it('an audit that only grew moves the anchor on and raises nothing', async () => {
      const { lines, anchor } = await setUp(engine)
      await revocationRequest(1)
      const sent = await branchAudit()
      await branch!.services.syncClient.syncOnce()
      expect(await centralAnchor()).toEqual({ clientId: anchor.clientId, count: sent.count, hash: sent.hash })
      expect(await central!.db('audit_alerts').select('*')).toEqual([])
      expect(alertsIn(lines)).toEqual([])
    }, 120_000)
  })
}
