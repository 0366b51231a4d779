import { existsSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { authenticator } from 'otplib'
import { CLI_ACTOR } from '../../src/central/hqActor'
import { resetStaffPassword } from '../../src/central/staffAdmin'
import { verifyAuditChain } from '../../src/core/auditChain'
import { startCentral, type TestCentral } from '../support/central'
import { loginAt, setUpPc, type BranchPc } from '../support/branchPcs'
import { BUSINESS_TABLES, snapshot } from '../support/tempApp'

/**
 * A credential change central refuses (パスワード変更, 承認用認証アプリの登録) must not leave the person's
 * password, the new hash or the authenticator key at the branch: not in 同期エラー, not in the database
 * file, not in the outbox export. It cannot be sent again; the supervisor accepts it and the person redoes it.
 */
describe('a refused credential change keeps no secret at the branch', () => {
  let central: TestCentral
  let pc: BranchPc

  beforeEach(async () => {
    central = await startCentral('sqlite')
    pc = await setUpPc(central, 'pc1')
    await loginAt(pc, 't', 'T001')
    await loginAt(pc, 's', 'S001')
    await loginAt(pc, 's2', 'S002')
  })
  afterEach(async () => {
    await pc.close()
    await central.close()
  })

  /** The sealed values an outbox row holds (without the `sealed:` marker), to look for them later. */
  async function sealedIn(name: string): Promise<string[]> {
    const row = await pc.services.db('outbox').where({ name }).first()
    const args = JSON.parse(row.args_json) as Record<string, unknown>
    const sealed = Object.values(args).filter(
      (v): v is string => typeof v === 'string' && v.startsWith('sealed:'),
    )
    expect(sealed).toHaveLength(2)
    return sealed.map((v) => v.slice('sealed:'.length))
  }

  /** T001 changes their password and S002 enrols an authenticator; HQ resets both passwords meanwhile. */
  async function refusedCredentialChanges() {
    expect(
      await pc.invoke('t', 'auth.changePassword', {
        currentPassword: 'demo-T001',
        newPassword: 'Changed-2026x',
      }),
    ).toMatchObject({ ok: true })
    const started = await pc.invoke('s2', 'auth.totpEnrolStart', {})
    const secret = (started as { value: { secret: string } }).value.secret
    const code = authenticator.clone({ epoch: pc.clock.now().getTime() }).generate(secret)
    expect(
      await pc.invoke('s2', 'auth.totpEnrolConfirm', { code, currentPassword: 'demo-S002' }),
    ).toMatchObject({ ok: true })
    const sealed = [...(await sealedIn('staff.change_password')), ...(await sealedIn('staff.enrol_totp'))]
    for (const staffId of ['T001', 'S002'])
      await resetStaffPassword(central.db, CLI_ACTOR, { staffId, password: 'Temporary-2026' }, new Date())
    await pc.sync()
    return { sealed, plain: ['demo-T001', 'Changed-2026x', 'demo-S002', secret] }
  }

  /** The database file after a checkpoint, and the write-ahead log if one is left, as bytes read as text. */
  async function databaseFile(): Promise<string> {
    await pc.services.db.raw('PRAGMA wal_checkpoint(TRUNCATE)')
    const wal = `${pc.dbFile}-wal`
    return readFileSync(pc.dbFile, 'latin1') + (existsSync(wal) ? readFileSync(wal, 'latin1') : '')
  }

  it('同期エラー keeps the refusal without the password or the key, nor does the database file', async () => {
    const { sealed, plain } = await refusedCredentialChanges()
    const problems = await pc.services.db('sync_problems').orderBy('id')
    expect(problems.map((p) => [p.name, p.code])).toEqual([
      ['staff.change_password', 'STALE_PASSWORD'],
      ['staff.enrol_totp', 'STALE_PASSWORD'],
    ])
    expect(await pc.services.db('outbox')).toEqual([])
    // The screen still says whose change it was.
    expect(JSON.parse(problems[0].args_json)).toMatchObject({ staffId: 'T001' })
    expect(JSON.parse(problems[1].args_json)).toMatchObject({ staffId: 'S002' })
    const whole = JSON.stringify(problems)
    expect(whole).not.toContain('sealed:')
    for (const value of [...sealed, ...plain]) expect(whole).not.toContain(value)
    for (const field of ['passwordHash', 'currentPassword', 'totpSecret']) expect(whole).not.toContain(field)
    const file = await databaseFile()
    expect(file).toContain('STALE_PASSWORD')
    for (const value of [...sealed, ...plain]) expect(file).not.toContain(value)
  })

  it('retry is refused with nothing changed; accept works and is audited', async () => {
    await refusedCredentialChanges()
    const queue = await pc.invoke('s', 'sync.queue', {})
    expect(queue).toMatchObject({ ok: true })
    const problems = (queue as { value: { problems: { id: number; name: string; retryable: boolean }[] } })
      .value.problems
    expect(problems.map((p) => [p.name, p.retryable]).sort()).toEqual([
      ['staff.change_password', false],
      ['staff.enrol_totp', false],
    ])
    const tables = [...BUSINESS_TABLES, 'sync_problems', 'outbox', 'rebase_undo']
    for (const problem of problems) {
      const before = await snapshot(pc.services.db, tables)
      expect(
        await pc.invoke('s', 'sync.resolveProblem', { id: problem.id, action: 'retry', note: '再送します' }),
      ).toMatchObject({ ok: false, error: { code: 'REDO_BY_PERSON' } })
      expect(await snapshot(pc.services.db, tables)).toBe(before)
    }
    for (const problem of problems)
      expect(
        await pc.invoke('s', 'sync.resolveProblem', {
          id: problem.id,
          action: 'accept',
          note: 'ご本人に再設定を依頼',
        }),
      ).toMatchObject({ ok: true })
    expect(await pc.services.db('sync_problems').whereNull('resolved_at')).toEqual([])
    expect(await pc.services.db('sync_problems').pluck('resolution')).toEqual(['accept', 'accept'])
    const audited = await pc.services.db('audit').where({ action: 'sync.problem_accept' }).orderBy('id')
    expect(audited.map((a) => [a.actor, a.entity_key])).toEqual(problems.map((p) => ['S001', String(p.id)]))
    expect(await verifyAuditChain(pc.services.db, 'audit')).toMatchObject({ ok: true })
    expect(await pc.services.db('outbox')).toEqual([])
  })

  it('a rejection of another kind may still be sent again', async () => {
    await refusedCredentialChanges()
    const queue = await pc.services.sync.queue()
    expect(queue.problems.every((p) => !p.retryable)).toBe(true)
    // A refused non-credential mutation stays retryable (the screen offers 再送 for it).
    await pc.services.db('sync_problems').insert({
      mutation_id: 99,
      name: 'token.suspend',
      args_json: JSON.stringify({ cif: '0000001', reason: 'lost' }),
      actor: 'T001',
      code: 'INVALID_STATE',
      created_at: '2026-11-25T01:00:00Z',
    })
    const after = await pc.services.sync.queue()
    expect(after.problems.find((p) => p.name === 'token.suspend')).toMatchObject({ retryable: true })
  })

  it('a row recorded before this version loses its secrets when the PC is updated', async () => {
    // As the previous version recorded a refusal: the outbox row's arguments, sealed values and all.
    expect(
      await pc.invoke('t', 'auth.changePassword', {
        currentPassword: 'demo-T001',
        newPassword: 'Changed-2026x',
      }),
    ).toMatchObject({ ok: true })
    const row = await pc.services.db('outbox').where({ name: 'staff.change_password' }).first()
    const sealed = await sealedIn('staff.change_password')
    await pc.services.db('sync_problems').insert({
      mutation_id: 1,
      name: row.name,
      args_json: row.args_json,
      actor: row.actor,
      code: 'STALE_PASSWORD',
      created_at: row.created_at,
    })
    await pc.services.db('outbox').delete()
    await pc.services.db('knex_migrations').where({ name: '009_h14_problem_secrets' }).delete()
    await pc.restart()
    const problem = await pc.services.db('sync_problems').first()
    expect(JSON.parse(problem.args_json)).toEqual({
      staffId: 'T001',
      changedAt: expect.any(String),
    })
    const file = await databaseFile()
    for (const value of sealed) expect(file).not.toContain(value)
  })

  it('the outbox export carries a credential change without its password or key', async () => {
    expect(
      await pc.invoke('t', 'auth.changePassword', {
        currentPassword: 'demo-T001',
        newPassword: 'Changed-2026x',
      }),
    ).toMatchObject({ ok: true })
    const sealed = await sealedIn('staff.change_password')
    const exported = await pc.invoke('s', 'sync.exportOutbox', {})
    expect(exported).toMatchObject({ ok: true })
    const content = (exported as { value: { content: string } }).value.content
    for (const value of [...sealed, 'demo-T001', 'Changed-2026x', 'sealed:'])
      expect(content).not.toContain(value)
    expect(JSON.parse(content).mutations).toEqual([
      expect.objectContaining({
        name: 'staff.change_password',
        args: { staffId: 'T001', changedAt: expect.any(String) },
        secretsRemoved: true,
        actor: 'T001',
      }),
    ])
    // The PC's own queue is untouched: the change still goes to central with its password.
    expect(await sealedIn('staff.change_password')).toEqual(sealed)
  })
})
