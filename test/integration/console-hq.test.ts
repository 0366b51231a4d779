import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CENTRAL_ENGINES } from '../support/central'
import { verifyHqAudit } from '../../src/central/hqAudit'
import { createEnrollmentCode } from '../../src/central/sync'
import { ConsoleClient } from '../support/consoleClient'
import { startConsoleCentral, testClock, type ConsoleCentral } from '../support/consoleCentral'

let central: ConsoleCentral
let workstation: { clientId: string; auth: string; nextId: number; cookie: number | null }
let operator: ConsoleClient
let operator2: ConsoleClient
let supervisor: ConsoleClient
let admin: ConsoleClient

async function post(path: string, body: unknown, auth?: string) {
  const res = await fetch(`${central.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  })
  return (await res.json()) as Record<string, unknown>
}

/** What the branch PC sends and receives: the real sync protocol with the PC's credentials. */
async function push(name: string, args: object, actor: string) {
  const id = workstation.nextId++
  const answer = await post(
    '/v1/sync/push',
    {
      clientId: workstation.clientId,
      schemaVersion: 1,
      mutations: [{ id, name, args, createdAt: central.clock.now.toISOString(), actor }],
    },
    workstation.auth,
  )
  expect(answer).toMatchObject({ results: [{ id, status: 'applied' }] })
}

async function pullRequests(): Promise<Record<string, { state: string; decisionReason: string | null }>> {
  const requests: Record<string, { state: string; decisionReason: string | null }> = {}
  for (;;) {
    const answer = (await post(
      '/v1/sync/pull',
      { clientId: workstation.clientId, cookie: workstation.cookie },
      workstation.auth,
    )) as {
      cookie: number
      more: boolean
      patch: { op: string; entity?: string; key?: string; value?: Record<string, unknown> }[]
    }
    workstation.cookie = answer.cookie
    for (const op of answer.patch)
      if (op.op === 'put' && op.entity === 'request')
        requests[op.key!] = {
          state: String(op.value!['state']),
          decisionReason: (op.value!['decisionReason'] as string) ?? null,
        }
    if (!answer.more) return requests
  }
}

/** A branch revocation approved by its supervisor: 利用解除手続中, waiting for HQ. */
async function branchRevocation(
  channel: 'paper' | 'in_person',
  receivedOn = '2026-11-20',
): Promise<{ id: string; cif: string }> {
  const taken = await central.db('requests').pluck('cif')
  // 書面 is for hard tokens only (the guide); in person for any token.
  const query = central
    .db('customers')
    .where({ otp_status: 'in_use', branch_code: '001' })
    .whereNotIn('cif', taken)
    .orderBy('cif')
  if (channel === 'paper')
    query.whereIn(
      'cif',
      central.db('tokens').where({ kind: 'hard' }).whereIn('state', ['issued', 'active']).select('cif'),
    )
  const customer = await query.first()
  const id = randomUUID()
  await push(
    'revocation.request',
    {
      requestId: id,
      cif: customer.cif,
      tokenUid: null,
      channel,
      reason: 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
      ...(channel === 'paper'
        ? { paperForm: { formNo: `F-${id.slice(0, 4)}`, receivedOn, sealChecked: true } }
        : {}),
    },
    'T001',
  )
  await push('revocation.approve', { requestId: id, checker: 'S001' }, 'T001')
  return { id, cif: customer.cif }
}

describe.each(CENTRAL_ENGINES)('the HQ console on %s', (engine) => {
  beforeAll(async () => {
    // 2026-11-27 10:00 in Japan: the due dates below are counted from this day.
    central = await startConsoleCentral({ engine, clock: testClock(new Date('2026-11-27T01:00:00Z')) })
    const code = await createEnrollmentCode(central.db, '001', central.clock.now)
    const enrolled = (await post('/v1/enroll', {
      branchCode: '001',
      enrollmentCode: code,
      workstationName: '窓口1',
    })) as {
      clientId: string
      secret: string
    }
    workstation = {
      clientId: enrolled.clientId,
      auth: `Bearer ${enrolled.clientId}.${enrolled.secret}`,
      nextId: 1,
      cookie: null,
    }
    await pullRequests()
    await signInAll()
  })

  /** Fresh sessions for the four HQ people (after the test clock jumps past the idle timeout). */
  async function signInAll(): Promise<void> {
    operator = await new ConsoleClient(central.url).signIn('HQ001', central.clock.now)
    operator2 = await new ConsoleClient(central.url).signIn('HQ002', central.clock.now)
    supervisor = await new ConsoleClient(central.url).signIn('HQ101', central.clock.now)
    admin = await new ConsoleClient(central.url).signIn('HQ901', central.clock.now)
  }
  afterAll(() => central.close())

  describe('the 利用解除 queue', () => {
    it('lists every branch revocation awaiting HQ with its due date, overdue first', async () => {
      const overdue = await branchRevocation('paper', '2026-11-01')
      const soon = await branchRevocation('paper', '2026-11-20')
      const counter = await branchRevocation('in_person')
      const queue = (
        await operator.get<{ id: string; daysLeft: number | null; overdue: boolean; dueOn: string | null }[]>(
          '/revocations?branch=001',
        )
      ).body
      expect(queue.map((q) => [q.id, q.dueOn, q.daysLeft, q.overdue])).toEqual([
        [overdue.id, '2026-11-15', -12, true],
        [soon.id, '2026-12-04', 7, false],
        [counter.id, null, null, false],
      ])
      expect(queue[0]).toMatchObject({
        branch: '001',
        branchName: '本店営業部',
        channel: 'paper',
        state: 'awaiting',
      })
      const overview = (await operator.get<{ branches: { pending: number; overdue: number }[] }>('/overview'))
        .body
      expect(overview.branches[0]).toMatchObject({ pending: 3, overdue: 1 })
    })

    it('completes a paper revocation only with a second HQ person, and the branch sees only the final state', async () => {
      const { id, cif } = await branchRevocation('paper')
      expect((await pullRequests())[id]).toMatchObject({ state: 'awaiting_central' })
      expect((await operator.post(`/revocations/${id}/complete`)).body.error?.code).toBe(
        'SECOND_PERSON_REQUIRED',
      )
      expect((await operator.post(`/revocations/${id}/prepare`)).status).toBe(200)
      // Prepared is HQ's own business: nothing new reaches the branch.
      expect((await pullRequests())[id]).toBeUndefined()
      expect((await operator.post(`/revocations/${id}/approve`)).status).toBe(403)
      const list = (
        await supervisor.get<{ id: string; state: string; preparedBy: string }[]>(
          '/revocations?state=prepared',
        )
      ).body
      expect(list.find((q) => q.id === id)).toMatchObject({ state: 'prepared', preparedBy: 'HQ001' })
      expect((await supervisor.post(`/revocations/${id}/approve`)).body).toEqual({ state: 'completed' })
      expect((await pullRequests())[id]).toEqual({ state: 'completed', decisionReason: null })
      expect(await central.db('customers').where({ cif }).first()).toMatchObject({ otp_status: 'revoked' })
      expect(await central.db('hq_completions').where({ request_id: id }).first()).toMatchObject({
        prepared_by: 'HQ001',
        approved_by: 'HQ101',
      })
    })

    it('refuses approval by the HQ supervisor who prepared it', async () => {
      const { id } = await branchRevocation('paper')
      expect((await supervisor.post(`/revocations/${id}/prepare`)).status).toBe(200)
      const refused = await supervisor.post(`/revocations/${id}/approve`)
      expect([refused.status, refused.body.error?.code]).toEqual([422, 'MAKER_IS_CHECKER'])
      expect(await central.db('requests').where({ id }).first()).toMatchObject({ state: 'awaiting_central' })
      // Another operator cannot approve either; only a different hq_supervisor can.
      expect((await operator2.post(`/revocations/${id}/approve`)).status).toBe(403)
    })

    it('completes an in-person revocation in one step', async () => {
      const { id, cif } = await branchRevocation('in_person')
      expect((await operator.post(`/revocations/${id}/complete`)).body).toEqual({ state: 'completed' })
      expect((await pullRequests())[id]).toMatchObject({ state: 'completed' })
      expect(await central.db('customers').where({ cif }).first()).toMatchObject({ otp_status: 'revoked' })
    })

    it('rejects only with a reason; the customer goes back and the branch gets the reason', async () => {
      const { id, cif } = await branchRevocation('paper')
      const blank = await operator.post(`/revocations/${id}/reject`, { reason: '  ' })
      expect([blank.status, blank.body.error?.code]).toEqual([400, 'VALIDATION'])
      expect((await operator.post(`/revocations/${id}/reject`, { reason: '届出印が相違' })).status).toBe(200)
      expect((await pullRequests())[id]).toEqual({ state: 'rejected', decisionReason: '届出印が相違' })
      expect(await central.db('customers').where({ cif }).first()).toMatchObject({ otp_status: 'in_use' })
      expect((await operator.post(`/revocations/${id}/complete`)).body.error?.code).toBe('INVALID_STATE')
    })
  })

  describe('hard-token stock', () => {
    const figure6 = readFileSync('test/fixtures/pskc/rfc6030-figure6.xml', 'utf8')
    const key = '12345678901234567890123456789012'

    it('summarises a PSKC file before importing, and imports nothing from a file with a tampered MAC', async () => {
      const tampered = figure6.replace('Su+NvtQfmvfJzF6bmQiJqoLRExc=', 'Su+NvtRfmvfJzF6bmQiJqoLRExc=')
      for (const path of ['/stock/pskc/preview', '/stock/pskc/import']) {
        const refused = await operator.post(path, { xml: tampered, keyHex: key })
        expect(refused.body.error?.code).toBe('PSKC_MAC_MISMATCH')
      }
      expect((await operator.post('/stock/pskc/preview', { xml: figure6 })).body.error?.code).toBe(
        'PSKC_NEEDS_KEY',
      )
      const before = await central.db('inventory').count({ n: '*' })
      const summary = await operator.post('/stock/pskc/preview', { xml: figure6, keyHex: key })
      expect(summary.body).toEqual({
        count: 1,
        serials: ['987654321'],
        hotp: 1,
        totp: 0,
        digits6: 0,
        digits8: 1,
        duplicates: [],
      })
      expect(await central.db('inventory').count({ n: '*' })).toEqual(before)
      expect((await operator.post('/stock/pskc/import', { xml: figure6, keyHex: key })).body).toEqual({
        imported: 1,
        duplicates: [],
      })
      const again = await operator.post('/stock/pskc/import', { xml: figure6, keyHex: key })
      expect(again.body).toMatchObject({
        error: { code: 'PSKC_DUPLICATES', details: { serials: ['987654321'] } },
      })
    })

    it('allocates to a branch, and shows a device with its history', async () => {
      const allocated = await operator.post<{ serials: string[] }>('/stock/allocate', {
        branch: '001',
        count: 1,
      })
      expect(allocated.body.serials).toEqual(['987654321'])
      const tooMany = await operator.post('/stock/allocate', { branch: '001', count: 5 })
      expect(tooMany.body).toMatchObject({ error: { code: 'NOT_ENOUGH_STOCK', details: { available: 0 } } })
      const stock = (
        await operator.get<{ unallocated: number; branches: { code: string; inStock: number }[] }>('/stock')
      ).body
      expect(stock).toMatchObject({ unallocated: 0, branches: [{ code: '001', inStock: 51 }] })
      const device = (
        await operator.get<{ events: { event: string; branch: string | null; actor: string }[] }>(
          '/devices/987654321',
        )
      ).body
      expect(device).toMatchObject({ serial: '987654321', branch: '001', state: 'in_stock' })
      expect(device.events.map((e) => [e.event, e.branch, e.actor])).toEqual([
        ['imported', null, 'HQ001'],
        ['allocated', '001', 'HQ001'],
      ])
      // The seed reaches the branch on its next pull.
      const pulled = (await post(
        '/v1/sync/pull',
        { clientId: workstation.clientId, cookie: workstation.cookie },
        workstation.auth,
      )) as { patch: { entity?: string; key?: string; value?: { seed: string | null } }[] }
      expect(
        pulled.patch.find((p) => p.entity === 'inventory' && p.key === '987654321')?.value?.seed,
      ).toBeTruthy()
    })
  })

  describe('customers CSV', () => {
    it('lists every problem by line in a dry run and changes nothing; a clean file imports', async () => {
      const bad =
        'cif,branch,name_kanji,name_kana,birth_date,phone,accounts\n' +
        '3000001,001,山形 太郎,ヤマガタ タロウ,1980-01-02,023-600-0001,001-futsu-3000001\n' +
        '30002,001,酒田 花子,サカタ ハナコ,1990-03-04,090,001-futsu-3000002\n' +
        '3000003,009,鶴岡 一郎,,1990-13-45,090,001-savings-1\n'
      const preview = await operator.post('/customers/preview', { csv: bad })
      expect(preview.body).toMatchObject({ rows: 3, problemCount: 5 })
      expect(
        (preview.body as unknown as { problems: { line: number; code: string }[] }).problems.map((p) => [
          p.line,
          p.code,
        ]),
      ).toEqual([
        [3, 'CIF_FORMAT'],
        [4, 'UNKNOWN_BRANCH'],
        [4, 'NAME_REQUIRED'],
        [4, 'BIRTH_DATE_FORMAT'],
        [4, 'ACCOUNT_FORMAT'],
      ])
      const refused = await operator.post('/customers/import', { csv: bad })
      expect(refused.body.error?.code).toBe('CSV_INVALID')
      expect(await central.db('customers').where({ cif: '3000001' }).first()).toBeUndefined()

      const good = bad.split('\n').slice(0, 2).join('\n') + '\n'
      expect((await operator.post('/customers/preview', { csv: good })).body).toMatchObject({
        fresh: 1,
        updates: 0,
        problemCount: 0,
      })
      expect((await operator.post('/customers/import', { csv: good })).body).toEqual({
        imported: 1,
        updated: 0,
      })
      expect(await central.db('customers').where({ cif: '3000001' }).first()).toMatchObject({
        otp_status: 'not_applied',
      })
    })
  })

  describe('branches, PCs and staff', () => {
    it('shows a PC with what it reported, issues a code once, and revokes a PC so central refuses it', async () => {
      await post(
        '/v1/sync/push',
        {
          clientId: workstation.clientId,
          schemaVersion: 1,
          mutations: [],
          status: {
            queueDepth: 3,
            oldestPendingAt: '2026-11-27T00:30:00.000Z',
            appVersion: '0.1.0',
            auditCount: 10,
            auditHash: 'a'.repeat(64),
          },
        },
        workstation.auth,
      )
      const seen = (await operator.get<{ workstations: Record<string, unknown>[] }[]>('/branches')).body[0]!
      expect(seen.workstations.find((w) => w['clientId'] === workstation.clientId)).toMatchObject({
        workstationNo: '01',
        name: '窓口1',
        queueDepth: 3,
        oldestPendingAt: '2026-11-27T00:30:00.000Z',
        appVersion: '0.1.0',
        lastSeenAt: central.clock.now.toISOString(),
        offline: false,
      })
      central.clock.advance(61 * 60_000)
      await signInAll()
      expect(
        (await operator.get<{ branches: { offline: number }[] }>('/overview')).body.branches[0],
      ).toMatchObject({
        offline: 1,
      })
      const branches = (
        await operator.get<{ code: string; workstations: { clientId: string; name: string }[] }[]>(
          '/branches',
        )
      ).body
      expect(branches[0]!.workstations.map((w) => w.clientId)).toContain(workstation.clientId)
      const issued = await admin.post<{ code: string }>('/branches/001/enrolment-codes')
      expect(issued.body.code).toMatch(/^[A-Za-z0-9_-]{12}$/)
      const audit = await central.db('hq_audit').where({ action: 'enrolment_code.issue' }).first()
      expect(audit.after_json).not.toContain(issued.body.code)

      const spare = (await post('/v1/enroll', {
        branchCode: '001',
        enrollmentCode: issued.body.code,
        workstationName: '予備',
      })) as {
        clientId: string
        secret: string
      }
      expect((await admin.post(`/workstations/${spare.clientId}/revoke`)).status).toBe(200)
      const refused = await fetch(`${central.url}/v1/sync/pull`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${spare.clientId}.${spare.secret}`,
        },
        body: JSON.stringify({ clientId: spare.clientId, cookie: null }),
      })
      expect(refused.status).toBe(401)
    })

    it('adds branch staff with a one-time password and resets, moves and disables them', async () => {
      const added = await admin.post<{ oneTimePassword: string }>('/staff', {
        branch: '001',
        staffId: 'T050',
        name: '最上 光',
        role: 'teller',
      })
      expect(added.body.oneTimePassword).toMatch(/^[A-Za-z2-9]{10}$/)
      const row = await central.db('staff').where({ staff_id: 'T050' }).first()
      expect(Boolean(row.must_change_password)).toBe(true)
      const reset = await admin.post<{ oneTimePassword: string }>('/staff/T050/reset-password')
      expect(reset.body.oneTimePassword).not.toBe(added.body.oneTimePassword)
      expect((await admin.post('/staff/T050/role', { role: 'supervisor' })).status).toBe(200)
      expect((await admin.post('/staff/T050/disable')).status).toBe(200)
      const list = (
        await supervisor.get<{ staffId: string; active: boolean; role: string }[]>('/staff?branch=001')
      ).body
      expect(list.find((s) => s.staffId === 'T050')).toMatchObject({ active: false, role: 'supervisor' })
      const actions = await central.db('hq_audit').where({ entity_key: 'T050' }).orderBy('id').pluck('action')
      expect(actions).toEqual(['staff.add', 'staff.reset_password', 'staff.role', 'staff.disable'])
      expect(JSON.stringify(await central.db('hq_audit').where({ entity_key: 'T050' }))).not.toContain(
        reset.body.oneTimePassword,
      )
    })
  })

  describe('HQ audit', () => {
    it('records every HQ action in a chain that verifies, and reports the first altered row', async () => {
      const page = (
        await supervisor.get<{ items: { actor: string; action: string }[] }>('/audit?actor=HQ101')
      ).body
      expect(page.items.map((i) => i.action)).toContain('revocation.approve_completion')
      expect((await admin.get('/audit/verify')).body).toMatchObject({ ok: true })
      const row = await central.db('hq_audit').where({ action: 'revocation.reject' }).first()
      await central.db('hq_audit').where({ id: row.id }).update({ after_json: '{"state":"completed"}' })
      expect(await verifyHqAudit(central.db)).toEqual({ ok: false, brokenAt: row.id, reason: 'content' })
    })
  })
})
