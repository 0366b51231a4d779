import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'

const CLI = join(__dirname, '../../src/central/cli.ts')

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
  })
}

/**
 * Central as its own process on a SQLite file (so it can be SIGKILLed), with the demo bank. The data key
 * is named at start, as central requires.
 */
export class CentralProcess {
  private child: ChildProcess | undefined
  readonly keyFile: string
  /** Everything central wrote to stdout and stderr, over all its starts. */
  log = ''

  constructor(
    readonly dbFile: string,
    readonly port: number,
  ) {
    this.keyFile = `${dbFile}.key`
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  cli(...args: string[]): unknown {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', CLI, ...args, '--db', this.dbFile, '--key-file', this.keyFile, '--json'],
      { encoding: 'utf8' },
    )
    return JSON.parse(out.trim().split('\n').pop()!)
  }

  async start(logLevel = 'warn'): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'serve',
        '--db',
        this.dbFile,
        '--key-file',
        this.keyFile,
        '--port',
        String(this.port),
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: logLevel } },
    )
    this.child = child
    await new Promise<void>((ready, fail) => {
      let out = ''
      const timer = setTimeout(() => fail(new Error(`central did not start: ${out}`)), 30_000)
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
        this.log += c.toString()
        if (out.includes('"address"')) {
          clearTimeout(timer)
          ready()
        }
      })
      child.stderr!.on('data', (c: Buffer) => {
        out += c.toString()
        this.log += c.toString()
      })
      child.on('exit', (code) => {
        clearTimeout(timer)
        fail(new Error(`central exited (${code}): ${out}`))
      })
    })
  }

  /** SIGKILL: no graceful shutdown, whatever is in flight. */
  async kill(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    await new Promise<void>((done) => {
      child.once('exit', () => done())
      child.kill('SIGKILL')
    })
    this.child = undefined
  }
}
