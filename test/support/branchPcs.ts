import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, type Services } from '../../src/main/app'
import { FakeClock } from '../../src/main/clock'
import { createHandlers, type Invoke } from '../../src/main/ipc/handlers'
import { FileKeyStore } from '../../src/core/security/keyStore'
import type { TestCentral } from './central'

/**
 * One teller PC of a branch, set up from an empty database against a real central: its own SQLite file,
 * data key and fake clock, a network that can be cut, and a restart that reopens the same file.
 */
export interface BranchPc {
  name: string
  dbFile: string
  clock: FakeClock
  services: Services
  invoke: Invoke
  online: boolean
  /** Push and pull until nothing is left (throws while offline). */
  sync(): Promise<void>
  /** Closes the app and opens the same database again, as after a crash or a reboot. */
  restart(): Promise<void>
  close(): Promise<void>
}

export async function setUpPc(
  central: TestCentral,
  name: string,
  options: { branch?: string; clock?: FakeClock } = {},
): Promise<BranchPc> {
  const dir = mkdtempSync(join(tmpdir(), `token-desk-${name}-`))
  const dbFile = join(dir, 'desk.sqlite')
  const keyFile = join(dir, 'desk.key')
  const clock = options.clock ?? new FakeClock('2026-11-25T01:00:00Z')
  // Offline: the connection is refused, as with the network cable out (nothing reaches central).
  const network: typeof fetch = (url, init) =>
    pc.online
      ? fetch(url, init)
      : Promise.reject(new TypeError(`${name} is offline`, { cause: { code: 'ECONNREFUSED' } }))
  const open = async () => {
    const app = await createApp({
      dbFile,
      keyStore: new FileKeyStore(keyFile),
      clock,
      startSync: false,
      fetch: network,
    })
    if (app.state !== 'ready') throw new Error(app.message)
    return app
  }
  let app = await open()
  const bind = () => {
    if (app.state !== 'ready') throw new Error('not ready')
    pc.services = app.services
    pc.invoke = createHandlers(app, (channel, e) => {
      throw new Error(`${name} ${channel}: ${String(e)}`)
    })
  }
  const pc: BranchPc = {
    name,
    dbFile,
    clock,
    online: true,
    services: undefined as unknown as Services,
    invoke: undefined as unknown as Invoke,
    sync: () => pc.services.syncClient.syncOnce(),
    restart: async () => {
      await app.close()
      app = await open()
      bind()
    },
    close: async () => {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  bind()
  await pc.services.syncClient.enroll({
    centralUrl: central.url,
    enrollmentCode: await central.enrollmentCode(options.branch ?? '001'),
    workstationName: name,
    branchCode: options.branch ?? '001',
  })
  await pc.sync()
  return pc
}

export async function loginAt(pc: BranchPc, client: string, staffId: string, password = `demo-${staffId}`) {
  const result = await pc.invoke(client, 'auth.login', { staffId, password })
  if (!result.ok) throw new Error(`${staffId} cannot log in at ${pc.name}: ${result.error.code}`)
}
