import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { AppHost } from '../appHost'
import { logToStderr } from '../ipc/handlers'
import { FileKeyStore } from '../../core/security/keyStore'
import { lockDatabase } from '../shell/instanceLock'
import { startBridge } from './server'
import { startNodeFileLog } from '../logging/nodeLog'
import { failureLoggerFor } from '../logging/fileLog'

const USAGE = `usage: npm run dev:browser -- [--db FILE] [--port N] [--demo] [--idle-lock-seconds N] [--key-file FILE]`

/** Browser mode: the services on a local database, the renderer and the handler table over HTTP. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: '.tmp/token-desk.sqlite' },
      port: { type: 'string', default: '5780' },
      demo: { type: 'boolean', default: false },
      'idle-lock-seconds': { type: 'string' },
      'key-file': { type: 'string' },
      'renderer-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const port = Number(values.port)
  const idle = values['idle-lock-seconds'] === undefined ? undefined : Number(values['idle-lock-seconds'])
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0 to 65535\n${USAGE}`)
  if (idle !== undefined && !(Number.isInteger(idle) && idle > 0))
    throw new Error(`--idle-lock-seconds must be a positive whole number`)

  const dbFile = resolve(values.db)
  mkdirSync(dirname(dbFile), { recursive: true })
  // One process per database: a second browser-mode start on the same file is refused.
  const unlockDatabase = lockDatabase(dbFile)
  process.on('exit', unlockDatabase)
  const keyFile = resolve(values['key-file'] ?? join(dirname(dbFile), 'token-desk.key'))
  // Rotating log files beside the database (issue 12b); failures still go to stderr as well.
  const logDirectory = join(dirname(dbFile), 'logs')
  const { log } = startNodeFileLog(logDirectory)
  log.info(`browser mode starting on ${dbFile}`)
  const logToFile = failureLoggerFor(log)
  const host = await AppHost.open(
    () => ({
      dbFile,
      keyStore: new FileKeyStore(keyFile),
      demo: values.demo,
      idleLockSeconds: idle,
      logDirectory,
      shell: { kind: 'browser', runtime: `Node ${process.versions.node}` },
      dailyBackups: true,
    }),
    (channel, error) => {
      logToStderr(channel, error)
      logToFile(channel, error)
    },
  )
  const rendererDir = resolve(values['renderer-dir'] ?? join(__dirname, '../renderer'))
  const bridge = await startBridge({
    invoke: host.invoke,
    rendererDir,
    port,
    token: randomBytes(24).toString('base64url'),
  })

  if (host.current.state !== 'ready') console.error(`[token-desk] ${host.current.message}`)
  console.log(`Token Desk (browser mode) on ${dbFile}`)
  console.log(`Open: ${bridge.url}`)

  const stop = async () => {
    await bridge.close()
    await host.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: Error) => {
  console.error(`[token-desk] ${e.message}`)
  process.exit(1)
})
