import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { startCentral, type TestCentral } from '../support/central'
import { loginAt, setUpPc, type BranchPc } from '../support/branchPcs'
import { approvalBy, demoStock, issueHard } from '../support/counter'

/**
 * Model-based test of a branch (issue 8): one central, three PCs of branch 001, random counter work,
 * offline windows, restarts and HQ decisions. Afterwards every PC and central must agree: the same
 * customer statuses, requests and devices, every receipt and credential once, nothing lost.
 * CI runs SOAK_RUNS (default 20) seeds; `npm run test:soak` runs 200. A failure prints the seed.
 */
const RUNS = Number(process.env['SOAK_RUNS'] ?? 20)
const SEED = process.env['SOAK_SEED'] ? Number(process.env['SOAK_SEED']) : undefined

/** Each PC's counter person: T001 at pc1, T002 at pc2, S002 (a supervisor doing counter work) at pc3. */
const PEOPLE = ['T001', 'T002', 'S002'] as const
const CUSTOMERS = 8
const SERIALS = demoStock.slice(0, 12).map((s) => s.serial)

type Op =
  | { kind: 'issue'; pc: number; c: number; s: number }
  | { kind: 'suspend' | 'request' | 'approve' | 'reject' | 'withdraw'; pc: number; c: number }
  | {
      kind: 'void' | 'closeDay' | 'password' | 'offline' | 'online' | 'restart' | 'sync' | 'pullOnly'
      pc: number
    }
  | { kind: 'hqComplete' | 'hqReject' | 'hqActivate' }

const pcIndex = fc.integer({ min: 0, max: 2 })
const customer = fc.integer({ min: 0, max: CUSTOMERS - 1 })
const on = <K extends string>(kind: K) => fc.constant(kind)
const atPc = (
  kind: 'void' | 'closeDay' | 'password' | 'offline' | 'online' | 'restart' | 'sync' | 'pullOnly',
) => fc.record({ kind: on(kind), pc: pcIndex })
const forCustomer = (kind: 'suspend' | 'request' | 'approve' | 'reject' | 'withdraw') =>
  fc.record({ kind: on(kind), pc: pcIndex, c: customer })
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: on('issue'),
      pc: pcIndex,
      c: customer,
      s: fc.integer({ min: 0, max: SERIALS.length - 1 }),
    }),
  },
  { weight: 2, arbitrary: forCustomer('suspend') },
  { weight: 5, arbitrary: forCustomer('request') },
  { weight: 5, arbitrary: forCustomer('approve') },
  { weight: 1, arbitrary: forCustomer('reject') },
  { weight: 1, arbitrary: forCustomer('withdraw') },
  { weight: 2, arbitrary: atPc('void') },
  { weight: 1, arbitrary: atPc('closeDay') },
  { weight: 1, arbitrary: atPc('password') },
  { weight: 3, arbitrary: atPc('offline') },
  { weight: 2, arbitrary: atPc('online') },
  { weight: 1, arbitrary: atPc('restart') },
  { weight: 3, arbitrary: atPc('sync') },
  { weight: 2, arbitrary: atPc('pullOnly') },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('hqComplete' as const, 'hqReject' as const, 'hqActivate' as const),
    }),
  },
)

interface World {
  central: TestCentral
  pcs: BranchPc[]
  cifs: string[]
  passwords: Record<string, string>
}

async function openRequest(pc: BranchPc, cif: string, state: string) {
  return pc.services.db('requests').where({ cif, kind: 'revocation', state }).first('id')
}

async function run(world: World, o: Op, step: number): Promise<void> {
  if (!('pc' in o)) return hq(world, o)
  const pc = world.pcs[o.pc]!
  const person = PEOPLE[o.pc]!
  const login = () => loginAt(pc, 'desk', person, world.passwords[person])
  pc.clock.advance(31_000) // a new TOTP step for each approval at this PC
  switch (o.kind) {
    case 'offline':
      pc.online = false
      return
    case 'online':
      pc.online = true
      return
    case 'sync':
      await pc.sync().catch(() => undefined)
      return
    case 'pullOnly': {
      // Pushes fail while pulls work: pulls land while this PC's work waits.
      const client = pc.services.syncClient as unknown as { fetchImpl: typeof fetch }
      const real = client.fetchImpl
      client.fetchImpl = (url, init) =>
        String(url).endsWith('/push') ? Promise.reject(new Error('push lost')) : real(url, init)
      await pc.sync().catch(() => undefined)
      client.fetchImpl = real
      return
    }
    case 'restart':
      await pc.restart()
      return login()
    case 'issue':
      await issueHard(pc, 'desk', world.cifs[o.c]!, SERIALS[o.s]!, {
        method: 'cash',
        tenderedYen: 2000,
      }).catch(() => undefined)
      return
    case 'suspend':
      await pc.invoke('desk', 'revocations.suspend', { cif: world.cifs[o.c], reason: 'lost' })
      return
    case 'request':
      await pc.invoke('desk', 'revocations.request', {
        cif: world.cifs[o.c],
        channel: 'in_person',
        reason: step % 2 ? 'unneeded' : 'stolen',
        identity: { kind: 'passport', last4: '1234' },
      })
      return
    case 'approve':
    case 'reject': {
      const open = await openRequest(pc, world.cifs[o.c]!, 'awaiting_branch')
      if (!open) return
      const channel = o.kind === 'approve' ? 'revocations.approve' : 'revocations.reject'
      await pc.invoke('desk', channel, {
        requestId: open.id,
        approval: approvalBy(pc, 'S001'),
        ...(o.kind === 'reject' ? { reason: '書類不備' } : {}),
      })
      return
    }
    case 'withdraw': {
      const open =
        (await openRequest(pc, world.cifs[o.c]!, 'awaiting_branch')) ??
        (await openRequest(pc, world.cifs[o.c]!, 'awaiting_central'))
      if (!open) return
      await pc.invoke('desk', 'revocations.withdraw', {
        requestId: open.id,
        reason: 'お客さまの申し出',
        approval: approvalBy(pc, 'S001'),
      })
      return
    }
    case 'void': {
      const receipt = await pc.services
        .db('receipts as r')
        .leftJoin('ledger_entries as v', function () {
          this.on('v.receipt_no', '=', 'r.receipt_no').andOnVal('v.kind', '=', 'void')
        })
        .whereNull('v.id')
        .where('r.staff_id', person)
        .orderBy('r.receipt_no', 'desc')
        .first('r.receipt_no')
      if (!receipt) return
      await pc.invoke('desk', 'ledger.void', {
        receiptNo: receipt.receipt_no,
        reason: '取扱誤り',
        approval: approvalBy(pc, 'S001'),
      })
      return
    }
    case 'closeDay': {
      const day = await pc.invoke('desk', 'ledger.day', {})
      if (!day.ok) return
      const expected = (day.value as { expectedCashYen: number }).expectedCashYen
      await pc.invoke('desk', 'ledger.closeDay', { countedYen: expected, approval: approvalBy(pc, 'S001') })
      return
    }
    case 'password': {
      const next = `Pass-${step}-${o.pc}x`
      const changed = await pc.invoke('desk', 'auth.changePassword', {
        currentPassword: world.passwords[person],
        newPassword: next,
      })
      if (changed.ok) world.passwords[person] = next
      return
    }
  }
}

async function hq(
  world: World,
  o: Extract<Op, { kind: 'hqComplete' | 'hqReject' | 'hqActivate' }>,
): Promise<void> {
  const { central } = world
  if (o.kind === 'hqActivate') {
    const issued = await central
      .db('customers')
      .whereIn('cif', world.cifs)
      .where({ otp_status: 'token_issued' })
      .first('cif')
    if (issued) await central.hq.activateCustomer(issued.cif)
    return
  }
  const pending = await central
    .db('requests')
    .whereIn('cif', world.cifs)
    .where({ kind: 'revocation', state: 'awaiting_central' })
    .orderBy('id')
    .first('id')
  if (!pending) return
  if (o.kind === 'hqComplete') await central.hq.completeRevocation(pending.id)
  else await central.hq.rejectRevocation(pending.id, '本部判断')
}

/** Everyone online, then sync rounds until every outbox is empty and nothing more comes. */
async function settle(world: World): Promise<void> {
  for (const pc of world.pcs) pc.online = true
  for (let round = 0; round < 3; round++) for (const pc of world.pcs) await pc.sync()
}

async function expectAgreement(world: World): Promise<void> {
  const { central, pcs, cifs } = world
  const statuses = async (db: BranchPc['services']['db'] | TestCentral['db']) =>
    Object.fromEntries(
      (await db('customers').whereIn('cif', cifs).orderBy('cif').select('cif', 'otp_status')).map((r) => [
        r.cif,
        r.otp_status,
      ]),
    )
  const centralStatuses = await statuses(central.db)
  const centralRequests = (
    await central.db('requests').whereIn('cif', cifs).orderBy('id').select('id', 'state')
  ).map((r) => `${r.id}:${r.state}`)
  const centralDevices = (
    await central.db('inventory').whereIn('serial', SERIALS).orderBy('serial').select('serial', 'state')
  ).map((r) => `${r.serial}:${r.state}`)
  const centralReceipts = new Map(
    (await central.db('receipts').select('receipt_no', 'voided_by')).map((r) => [
      r.receipt_no as string,
      Boolean(r.voided_by),
    ]),
  )
  const hashes = Object.fromEntries(
    (await central.db('staff').select('staff_id', 'password_hash')).map((s) => [s.staff_id, s.password_hash]),
  )
  let receiptsAtPcs = 0
  for (const pc of pcs) {
    const db = pc.services.db
    expect(await db('outbox').count({ n: '*' }), `${pc.name} outbox`).toEqual([{ n: 0 }])
    expect(await statuses(db), `${pc.name} statuses`).toEqual(centralStatuses)
    const requests = (
      await db('requests')
        .whereIn('cif', cifs)
        .whereNot({ state: 'refused' })
        .orderBy('id')
        .select('id', 'state')
    ).map((r) => `${r.id}:${r.state}`)
    expect(requests, `${pc.name} requests`).toEqual(centralRequests)
    const devices = (
      await db('inventory').whereIn('serial', SERIALS).orderBy('serial').select('serial', 'state')
    ).map((r) => `${r.serial}:${r.state}`)
    expect(devices, `${pc.name} devices`).toEqual(centralDevices)
    const problems = await db('sync_problems').select('name', 'args_json')
    const refused = (name: string, key: string) =>
      problems.some((p) => p.name === name && p.args_json.includes(key))
    for (const r of await db('receipts').select('receipt_no')) {
      const voidedHere = Boolean(
        await db('ledger_entries').where({ receipt_no: r.receipt_no, kind: 'void' }).first(),
      )
      if (!centralReceipts.has(r.receipt_no)) {
        expect(refused('token.issue_hard', r.receipt_no), `${r.receipt_no} lost`).toBe(true)
        continue
      }
      receiptsAtPcs++
      if (centralReceipts.get(r.receipt_no) !== voidedHere)
        expect(refused('fee.void', r.receipt_no), `${r.receipt_no} void`).toBe(true)
    }
    for (const s of await db('staff').select('staff_id', 'password_hash'))
      expect(s.password_hash, `${pc.name} ${s.staff_id}`).toBe(hashes[s.staff_id])
  }
  // Every receipt at central came from exactly one PC, once.
  expect(receiptsAtPcs).toBe(centralReceipts.size)
  // Nothing lost, nothing applied twice: each mutation a PC ever queued was answered exactly once.
  let queued = 0
  for (const pc of pcs) {
    const seq = await pc.services.db('sqlite_sequence').where({ name: 'outbox' }).first('seq')
    queued += Number(seq?.seq ?? 0)
  }
  expect(Number((await central.db('mutations').count({ n: '*' }))[0]!.n)).toBe(queued)
}

describe('a branch of three PCs, as a model', () => {
  it(`agrees with central after random work, offline windows, restarts and HQ decisions (${RUNS} seeds)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 60 }), async (ops) => {
        const central = await startCentral('sqlite')
        const pcs: BranchPc[] = []
        try {
          for (const name of ['pc1', 'pc2', 'pc3']) pcs.push(await setUpPc(central, name))
          const cifs = [
            ...(await central
              .db('customers')
              .where({ otp_status: 'not_applied' })
              .orderBy('cif')
              .limit(CUSTOMERS / 2)
              .pluck('cif')),
            ...(await central
              .db('customers')
              .where({ otp_status: 'in_use' })
              .orderBy('cif')
              .limit(CUSTOMERS / 2)
              .pluck('cif')),
          ]
          const world: World = {
            central,
            pcs,
            cifs,
            passwords: Object.fromEntries(PEOPLE.map((p) => [p, `demo-${p}`])),
          }
          for (const [i, pc] of pcs.entries()) await loginAt(pc, 'desk', PEOPLE[i]!)
          for (const [step, o] of ops.entries()) await run(world, o, step)
          await settle(world)
          await expectAgreement(world)
          if (process.env['SOAK_STATS']) {
            const rows = await central.db('mutations').select('name', 'status', 'code')
            const tally: Record<string, number> = {}
            for (const r of rows)
              tally[`${r.name}:${r.code ?? r.status}`] = (tally[`${r.name}:${r.code ?? r.status}`] ?? 0) + 1
            console.log(JSON.stringify(tally))
          }
        } finally {
          for (const pc of pcs) await pc.close()
          await central.close()
        }
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined ? { seed: SEED } : {}) },
    )
  }, 3_600_000)
})
