// A central on 127.0.0.1 for the sync benchmarks: the demo bank plus `customers` more customers of
// branch 001 (the demo generator's data under CIFs from 3000001), on SQLite or PostgreSQL. The
// benchmarks talk to it only over HTTP with the sync protocol, so they measure whatever central runs.
import { demoCustomers } from '../../src/core/demo/generator'
import { newRequestId } from '../../src/core/requestId'
import { insertRows } from '../../src/main/demo/seedDemo'
import { MAX_MUTATIONS_PER_PUSH, SCHEMA_VERSION, type Mutation } from '../../src/shared/syncProtocol'
import { startCentral, type TestCentral } from '../../test/support/central'

export type Engine = 'sqlite' | 'postgres'

export function engines(postgresUrl?: string): Engine[] {
  return postgresUrl ? ['sqlite', 'postgres'] : ['sqlite']
}

export interface BenchCentral {
  central: TestCentral
  /** CIFs of the added customers whose OTP is in use (each can take one revocation request). */
  inUse: string[]
  /** The same, by branch; branch 001 is the demo branch, the others are added with one teller each. */
  inUseByBranch: Map<string, string[]>
  close(): Promise<void>
}

/** The teller a bench PC of the branch pushes as (the demo's T001 at 001). */
export const tellerOf = (branch: string) => (branch === '001' ? 'T001' : `L${branch}`)
export const branchCodes = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1).padStart(3, '0'))

const CHUNK = 5000

export async function benchCentral(
  engine: Engine,
  customers: number,
  postgresUrl?: string,
  branches = 1,
): Promise<BenchCentral> {
  if (engine === 'postgres') process.env['TEST_POSTGRES_URL'] = postgresUrl
  const central = await startCentral(engine)
  const inUse: string[] = []
  const codes = branchCodes(branches)
  const inUseByBranch = new Map(codes.map((code) => [code, [] as string[]]))
  const { db } = central
  let version = Number((await db('meta').where({ key: 'version' }).first('value')).value)
  if (branches > 1) {
    // A bank of many branches, each with one teller (the demo teller's password hash: never logged into).
    const teller = await db('staff').where({ staff_id: 'T001' }).first()
    version++
    await db.transaction(async (trx) => {
      const others = codes.slice(1)
      await insertRows(
        trx,
        'branches',
        others.map((code) => ({ code, name: `支店${code}`, version })),
      )
      await insertRows(
        trx,
        'staff',
        others.map((code) => ({
          staff_id: tellerOf(code),
          branch_code: code,
          name: `担当 ${code}`,
          role: 'teller',
          password_hash: teller.password_hash,
          version,
        })),
      )
      await trx('meta').where({ key: 'version' }).update({ value: version })
    })
  }
  let customerRows: Record<string, unknown>[] = []
  let tokenRows: Record<string, unknown>[] = []
  const flush = async () => {
    version++
    await db.transaction(async (trx) => {
      await insertRows(
        trx,
        'customers',
        customerRows.map((r) => ({ ...r, version })),
      )
      await insertRows(
        trx,
        'tokens',
        tokenRows.map((r) => ({ ...r, version })),
      )
      await trx('meta').where({ key: 'version' }).update({ value: version })
    })
    customerRows = []
    tokenRows = []
  }
  let i = 0
  for (const c of demoCustomers({ customers, seed: 7 })) {
    const cif = String(3_000_001 + i)
    const branch = codes[i % codes.length]!
    customerRows.push({
      cif,
      branch_code: branch,
      name_kanji: c.nameKanji,
      name_kana: c.nameKana,
      birth_date: c.birthDate,
      phone: c.phone,
      accounts_json: JSON.stringify(c.accounts),
      otp_status: c.otpStatus,
      status_changed_at: c.statusChangedAt,
    })
    c.tokens.forEach((t, ti) =>
      tokenRows.push({
        uid: `bench-${i}-${ti}`,
        cif,
        kind: t.kind,
        serial: null,
        state: t.state,
        issued_at: t.issuedAt,
        activated_at: t.activatedAt,
        revoked_at: t.revokedAt,
      }),
    )
    if (c.otpStatus === 'in_use') {
      inUse.push(cif)
      inUseByBranch.get(branch)!.push(cif)
    }
    i++
    if (customerRows.length === CHUNK) await flush()
  }
  if (customerRows.length) await flush()
  if (engine === 'postgres') await db.raw('ANALYZE')
  return { central, inUse, inUseByBranch, close: () => central.close() }
}

/** A workstation enrolled at a branch (001 unless named), speaking the protocol over HTTP. */
export class Workstation {
  private nextId = 1
  cookie: number | null = null

  private constructor(
    readonly url: string,
    readonly clientId: string,
    readonly auth: string,
    readonly actor: string,
  ) {}

  static async enroll(central: TestCentral, name: string, branch = '001'): Promise<Workstation> {
    const res = await fetch(`${central.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        branchCode: branch,
        enrollmentCode: await central.enrollmentCode(branch),
        workstationName: name,
      }),
    })
    if (!res.ok) throw new Error(`enrolment refused: ${res.status} ${await res.text()}`)
    const { clientId, secret } = (await res.json()) as { clientId: string; secret: string }
    return new Workstation(central.url, clientId, `Bearer ${clientId}.${secret}`, tellerOf(branch))
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.auth },
      body: JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
    return (await res.json()) as T
  }

  /** A revocation request for each CIF, as the counter queues them (the protocol's mutation shape). */
  revocationRequests(cifs: string[]): Mutation[] {
    return cifs.map((cif) => ({
      id: this.nextId++,
      name: 'revocation.request' as const,
      args: {
        requestId: newRequestId(),
        cif,
        tokenUid: null,
        channel: 'in_person',
        reason: 'unneeded',
        identity: { kind: 'passport', last4: '1234' },
      },
      createdAt: new Date().toISOString(),
      actor: this.actor,
    }))
  }

  /**
   * Drains a queue the way the branch client does: batches of the protocol's maximum, in order. Also
   * times each tenth of the queue: flat tenths show the drain is linear, whatever the run's noise.
   */
  async drain(queue: Mutation[]): Promise<{ applied: number; rejected: number; tenths: number[] }> {
    let applied = 0
    let rejected = 0
    const tenths: number[] = []
    const tenth = Math.max(MAX_MUTATIONS_PER_PUSH, Math.ceil(queue.length / 10))
    let sliceStart = performance.now()
    for (let i = 0; i < queue.length; i += MAX_MUTATIONS_PER_PUSH) {
      const res = await this.push(queue.slice(i, i + MAX_MUTATIONS_PER_PUSH))
      for (const r of res.results) {
        if (r.status === 'rejected') rejected++
        else applied++
      }
      const done = Math.min(queue.length, i + MAX_MUTATIONS_PER_PUSH)
      if (done % tenth === 0 || done === queue.length) {
        tenths.push(performance.now() - sliceStart)
        sliceStart = performance.now()
      }
    }
    return { applied, rejected, tenths }
  }

  push(mutations: Mutation[]) {
    return this.post<{ lastMutationId: number; results: { status: string; code?: string }[] }>(
      '/v1/sync/push',
      {
        clientId: this.clientId,
        schemaVersion: SCHEMA_VERSION,
        mutations,
      },
    )
  }

  /** One pull from the saved cookie; the cookie moves on. */
  async pull(): Promise<{ entries: number; more: boolean }> {
    const res = await this.post<{ cookie: number; patch: unknown[]; more: boolean }>('/v1/sync/pull', {
      clientId: this.clientId,
      cookie: this.cookie,
    })
    this.cookie = res.cookie
    return { entries: res.patch.length, more: res.more }
  }
}
