import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServer } from 'node:net'

const CLI = resolve('src/central/cli.ts')

/** Runs `npm run central -- …` (without npm) and returns its JSON answer. */
export function centralCli(dbFile: string, ...args: string[]): unknown {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', CLI, ...args, '--db', dbFile, '--key-file', `${dbFile}.key`, '--json'],
    {
      encoding: 'utf8',
    },
  )
  return JSON.parse(out.trim().split('\n').pop()!)
}

/** The same, with `input` on stdin (a password for `staff add` / `staff reset-password`). */
export function centralCliWithStdin(dbFile: string, input: string, ...args: string[]): unknown {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', CLI, ...args, '--db', dbFile, '--key-file', `${dbFile}.key`, '--json'],
    { encoding: 'utf8', input },
  )
  return JSON.parse(out.trim().split('\n').pop()!)
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
  })
}

/** A central process with the demo bank on a fresh SQLite file; it can be stopped and started again. */
export async function demoCentral() {
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-e2e-central-'))
  const dbFile = join(dir, 'central.sqlite')
  centralCli(dbFile, 'demo')
  const port = await freePort()
  let child: ChildProcess | undefined
  const central = {
    dbFile,
    url: `http://127.0.0.1:${port}`,
    enrollmentCode: () => (centralCli(dbFile, 'enroll-code', '--branch', '001') as { code: string }).code,
    cli: (...args: string[]) => centralCli(dbFile, ...args),
    start: async () => {
      child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          CLI,
          'serve',
          '--db',
          dbFile,
          '--key-file',
          `${dbFile}.key`,
          '--port',
          String(port),
          '--json',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, LOG_LEVEL: 'warn' },
        },
      )
      await new Promise<void>((ready, fail) => {
        let out = ''
        const timer = setTimeout(() => fail(new Error(`central did not start: ${out}`)), 20_000)
        child!.stdout!.on('data', (c: Buffer) => {
          out += c.toString()
          if (out.includes('"address"')) {
            clearTimeout(timer)
            ready()
          }
        })
        child!.stderr!.on('data', (c: Buffer) => (out += c.toString()))
      })
    },
    stop: async () => {
      if (!child || child.exitCode !== null) return
      const exited = new Promise((r) => child!.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
    close: async () => {
      await central.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return central
}
