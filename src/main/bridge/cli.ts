import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createApp } from '../app'
import { createHandlers, logToStderr } from '../ipc/handlers'
import { FileKeyStore } from '../../core/security/keyStore'
import { startBridge } from './server'

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
  const keyFile = resolve(values['key-file'] ?? join(dirname(dbFile), 'token-desk.key'))
  const app = await createApp({
    dbFile,
    keyStore: new FileKeyStore(keyFile),
    demo: values.demo,
    idleLockSeconds: idle,
  })
  const invoke = createHandlers(app, logToStderr)
  const rendererDir = resolve(values['renderer-dir'] ?? join(__dirname, '../renderer'))
  const bridge = await startBridge({
    invoke,
    rendererDir,
    port,
    token: randomBytes(24).toString('base64url'),
  })

  if (app.state === 'corrupt') console.error(`[token-desk] ${app.message}`)
  console.log(`Token Desk (browser mode) on ${dbFile}`)
  console.log(`Open: ${bridge.url}`)

  const stop = async () => {
    await bridge.close()
    await app.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: Error) => {
  console.error(`[token-desk] ${e.message}`)
  process.exit(1)
})
