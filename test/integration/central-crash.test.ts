import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openCentralDb } from '../../src/central/db'
import { tempApp, type TempApp } from '../support/tempApp'
import { login } from '../support/counter'

let branch: TempApp | undefined
let child: ChildProcess | undefined
let dir: string | undefined
afterEach(async () => {
  child?.kill('SIGKILL')
  await branch?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const cli = (args: string[]) =>
  new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/central/cli.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CENTRAL_KEY_FILE: join(dir!, 'central.sqlite.key') },
    })
    let out = ''
    p.stdout.on('data', (c: Buffer) => (out += c.toString()))
    p.stderr.on('data', (c: Buffer) => (out += c.toString()))
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(out))))
  })

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => done(port))
    })
  })
}

function serve(dbFile: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/central/cli.ts', 'serve', '--db', dbFile, '--port', String(port), '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'warn', CENTRAL_KEY_FILE: `${dbFile}.key` },
      },
    )
    let out = ''
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('"address"')) resolve(p)
    })
    p.on('exit', () => reject(new Error(out)))
  })
}

describe('central killed in the middle of a push', () => {
  it('applies every mutation exactly once after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-desk-central-crash-'))
    const dbFile = join(dir, 'central.sqlite')
    await cli(['demo', '--db', dbFile])
    const code = JSON.parse(
      (await cli(['enroll-code', '--branch', '001', '--db', dbFile, '--json'])).trim().split('\n').pop()!,
    ).code
    const port = await freePort()
    child = await serve(dbFile, port)

    branch = await tempApp()
    await branch.services.syncClient.enroll({
      centralUrl: `http://127.0.0.1:${port}`,
      enrollmentCode: code,
      workstationName: 'pc',
    })
    await login(branch, 'pc', 'T001')
    // 400 revocation requests: one push of a few hundred mutations that takes a moment to apply.
    const cifs = await branch.services.db('customers').where({ otp_status: 'in_use' }).limit(400).pluck('cif')
    for (const cif of cifs) {
      const r = await branch.invoke('pc', 'revocations.request', {
        cif,
        channel: 'in_person',
        reason: 'unneeded',
        identity: { kind: 'passport', last4: '1234' },
      })
      expect(r.ok).toBe(true)
    }
    const pushing = branch.services.syncClient.syncOnce().catch((e: Error) => e)
    await new Promise((r) => setTimeout(r, 40))
    child.kill('SIGKILL')
    // The kill landed before the branch saw an answer: the first sync failed.
    expect(await pushing).toBeInstanceOf(Error)
    const afterKill = openCentralDb({ dbFile })
    const landed = (await afterKill('mutations').pluck('id')).length
    await afterKill.destroy()
    // Either the whole push committed or none of it (one transaction per push).
    expect([0, cifs.length]).toContain(landed)

    child = await serve(dbFile, port)
    await branch.services.syncClient.syncOnce()

    const db = openCentralDb({ dbFile })
    try {
      const applied = await db('mutations').select('id', 'status')
      expect(applied).toHaveLength(cifs.length)
      expect(new Set(applied.map((m) => Number(m.id))).size).toBe(cifs.length)
      expect(applied.every((m) => m.status === 'applied')).toBe(true)
      expect(await db('requests').where({ kind: 'revocation' }).count({ n: '*' })).toEqual([
        { n: cifs.length },
      ])
      const client = await db('clients').first()
      expect(Number(client.last_mutation_id)).toBe(cifs.length)
    } finally {
      await db.destroy()
    }
    expect(await branch.services.sync.status()).toMatchObject({ outboxDepth: 0, openProblems: 0 })
  })
})
