// Central under a branch's sync: an empty push (authentication and one transaction) is the baseline;
// a full push of 500 mutations and a first pull of the whole demo branch are given as ratios to it.
// Runs on SQLite, and on PostgreSQL too when TEST_POSTGRES_URL is set (as `npm test` sets it up).
import { performance } from 'node:perf_hooks'
import { startCentral } from '../test/support/central'

const engines: ('sqlite' | 'postgres')[] = process.env['TEST_POSTGRES_URL']
  ? ['sqlite', 'postgres']
  : ['sqlite']

async function run(engine: 'sqlite' | 'postgres'): Promise<void> {
  const central = await startCentral(engine)
  const post = (path: string, body: unknown, auth?: string) =>
    fetch(`${central.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>)
  const enrolled = (await post('/v1/enroll', {
    branchCode: '001',
    enrollmentCode: await central.enrollmentCode(),
    workstationName: 'bench',
  })) as {
    clientId: string
    secret: string
  }
  const auth = `Bearer ${enrolled.clientId}.${enrolled.secret}`
  const time = async (fn: () => Promise<unknown>, rounds: number) => {
    const start = performance.now()
    for (let i = 0; i < rounds; i++) await fn()
    return (performance.now() - start) / rounds
  }
  const empty = await time(
    () => post('/v1/sync/push', { clientId: enrolled.clientId, schemaVersion: 1, mutations: [] }, auth),
    50,
  )
  const cifs = await central.db('customers').where({ otp_status: 'in_use' }).limit(500).pluck('cif')
  let id = 0
  const batch = () =>
    cifs.slice(0, 500).map((cif) => ({
      id: ++id,
      name: 'revocation.request',
      args: {
        requestId: crypto.randomUUID(),
        cif,
        tokenUid: null,
        channel: 'in_person',
        reason: 'unneeded',
        identity: { kind: 'passport', last4: '1234' },
      },
      createdAt: '2026-11-25T01:00:00Z',
      actor: 'T001',
    }))
  const full = await time(
    () => post('/v1/sync/push', { clientId: enrolled.clientId, schemaVersion: 1, mutations: batch() }, auth),
    1,
  )
  const pull = await time(() => post('/v1/sync/pull', { clientId: enrolled.clientId, cookie: null }, auth), 5)
  console.log(
    `${engine.padEnd(8)} empty push=${empty.toFixed(2)}ms (1.0x)  push of ${cifs.length}=${full.toFixed(0)}ms (${(full / empty).toFixed(0)}x, ${(full / cifs.length).toFixed(2)}ms each)  first pull=${pull.toFixed(0)}ms (${(pull / empty).toFixed(0)}x)`,
  )
  await central.close()
}

async function main(): Promise<void> {
  for (const engine of engines) await run(engine)
}

void main()
