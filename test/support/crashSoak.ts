import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/main/app'
import { openCentralDb } from '../../src/central/db'
import { FileKeyStore } from '../../src/core/security/keyStore'
import { CentralProcess, freePort } from './centralProcess'

export interface SoakFigures {
  mutations: number
  rounds: number
  branchKills: number
  centralKills: number
  appliedAtCentral: number
  distinctIds: number
  duplicatesAtCentral: number
  rejected: number
  outboxAfter: number
  lost: number
  /** Central's requests made by the soak, and how many of them ended withdrawn. */
  requestsAtCentral: number
  withdrawnAtCentral: number
}

/**
 * Writes `count` mutations into the branch's outbox through the real handler table: revocation requests
 * and their withdrawals by the same teller (reason 不要: no approval), cycling over customers in use.
 */
async function makeMutations(
  dbFile: string,
  keyFile: string,
  centralUrl: string,
  code: string,
  count: number,
) {
  const app = await createApp({ dbFile, keyStore: new FileKeyStore(keyFile), demo: true, startSync: false })
  if (app.state !== 'ready') throw new Error(app.message)
  const { createHandlers } = await import('../../src/main/ipc/handlers')
  const invoke = createHandlers(app)
  await app.services.syncClient.enroll({ centralUrl, enrollmentCode: code, workstationName: 'soak' })
  await invoke('soak', 'auth.login', { staffId: 'T001', password: 'demo-T001' })
  const cifs: string[] = await app.services.db('customers').where({ otp_status: 'in_use' }).pluck('cif')
  let made = 0
  for (let i = 0; made < count; i++) {
    const cif = cifs[i % cifs.length]!
    const asked = await invoke('soak', 'revocations.request', {
      cif,
      channel: 'in_person',
      reason: 'unneeded',
      identity: { kind: 'passport', last4: '1234' },
    })
    if (!asked.ok) throw new Error(`request failed: ${JSON.stringify(asked)}`)
    made++
    if (made >= count) break
    const requestId = (asked.value as { id: string }).id
    const withdrawn = await invoke('soak', 'revocations.withdraw', { requestId, reason: '顧客都合' })
    if (!withdrawn.ok) throw new Error(`withdraw failed: ${JSON.stringify(withdrawn)}`)
    made++
  }
  await app.close()
}

/** Runs the branch worker; kills it with SIGKILL after `killAfterMs` (or lets it finish). */
function runBranch(
  dbFile: string,
  keyFile: string,
  killAfterMs: number | null,
): Promise<'killed' | 'drained'> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'soakWorker.ts'), dbFile, keyFile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    // The clock starts once the worker is up and syncing, so the kill lands in the sync, not the startup.
    let timer: NodeJS.Timeout | undefined
    child.stdout.once('data', () => {
      if (killAfterMs !== null) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') resolve('killed')
      else if (code === 0 && out.includes('drained')) resolve('drained')
      else reject(new Error(`branch worker failed (${code}): ${err.slice(-2000)}`))
    })
  })
}

/**
 * The crash soak: `mutations` waiting at the branch, then `rounds` rounds in which the branch (and, every
 * other round, central in the middle of a push) is SIGKILLed at a random moment; finally an unhurried
 * sync. Every mutation must then be at central exactly once, and the outbox empty.
 */
export async function crashSoak(options: {
  mutations: number
  rounds: number
  seed?: number
  maxKillMs?: number
}): Promise<SoakFigures> {
  let seed = options.seed ?? 20261127
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-soak-'))
  const central = new CentralProcess(join(dir, 'central.sqlite'), await freePort())
  central.cli('demo')
  const code = (central.cli('enroll-code', '--branch', '001') as { code: string }).code
  await central.start()
  const dbFile = join(dir, 'branch.sqlite')
  const keyFile = join(dir, 'branch.key')
  try {
    await makeMutations(dbFile, keyFile, central.url, code, options.mutations)
    let branchKills = 0
    let centralKills = 0
    const maxKill = options.maxKillMs ?? 3000
    for (let round = 0; round < options.rounds; round++) {
      const killAt = 50 + Math.floor(random() * maxKill)
      if (round % 2 === 1) {
        // Central dies in the middle of a push; the branch is killed a little later, then central returns.
        const centralKillAt = 50 + Math.floor(random() * maxKill)
        const branch = runBranch(dbFile, keyFile, killAt + centralKillAt)
        await new Promise((r) => setTimeout(r, centralKillAt))
        await central.kill()
        centralKills++
        if ((await branch) === 'killed') branchKills++
        await central.start()
      } else if ((await runBranch(dbFile, keyFile, killAt)) === 'killed') branchKills++
    }
    await runBranch(dbFile, keyFile, null)
    await central.kill()

    const db = openCentralDb({ dbFile: central.dbFile })
    try {
      const rows: { id: number; status: string }[] = await db('mutations').select('id', 'status')
      const ids = new Set(rows.map((r) => Number(r.id)))
      const branch = await createApp({ dbFile, keyStore: new FileKeyStore(keyFile), startSync: false })
      if (branch.state !== 'ready') throw new Error(branch.message)
      const [left] = await branch.services.db('outbox').count<{ n: number }[]>({ n: '*' })
      await branch.close()
      const requests: { state: string }[] = await db('requests').where({ kind: 'revocation' }).select('state')
      let lost = 0
      for (let id = 1; id <= options.mutations; id++) if (!ids.has(id)) lost++
      return {
        mutations: options.mutations,
        rounds: options.rounds,
        branchKills,
        centralKills,
        appliedAtCentral: rows.filter((r) => r.status === 'applied').length,
        distinctIds: ids.size,
        duplicatesAtCentral: rows.length - ids.size,
        rejected: rows.filter((r) => r.status === 'rejected').length,
        outboxAfter: Number(left?.n ?? 0),
        lost,
        requestsAtCentral: requests.length,
        withdrawnAtCentral: requests.filter((r) => r.state === 'withdrawn').length,
      }
    } finally {
      await db.destroy()
    }
  } finally {
    await central.kill()
  }
}
