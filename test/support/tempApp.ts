import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Knex } from 'knex'
import { createApp, type AppOptions, type Services } from '../../src/main/app'
import { FakeClock } from '../../src/main/clock'
import { createHandlers, type Invoke } from '../../src/main/ipc/handlers'
import { FileKeyStore } from '../../src/core/security/keyStore'

export interface TempApp {
  dir: string
  dbFile: string
  clock: FakeClock
  services: Services
  invoke: Invoke
  close(): Promise<void>
}

/** A real app on a real SQLite file in a fresh temporary folder, with a fake clock. */
export async function tempApp(options: Partial<AppOptions> = {}): Promise<TempApp> {
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-test-'))
  const dbFile = join(dir, 'desk.sqlite')
  const clock = new FakeClock('2026-11-25T01:00:00Z')
  const app = await createApp({
    dbFile,
    keyStore: new FileKeyStore(join(dir, 'desk.key')),
    clock,
    demo: true,
    startSync: false,
    ...options,
  })
  if (app.state !== 'ready') throw new Error(app.message)
  return {
    dir,
    dbFile,
    clock,
    services: app.services,
    invoke: createHandlers(app, (channel, e) => {
      throw new Error(`${channel}: ${String(e)}`)
    }),
    close: async () => {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const BUSINESS_TABLES = [
  'branches',
  'staff',
  'customers',
  'accounts',
  'inventory',
  'tokens',
  'settings',
  'audit',
]

/** Every row of the named tables, in a fixed order: equal snapshots mean nothing changed. */
export async function snapshot(db: Knex, tables: string[] = BUSINESS_TABLES): Promise<string> {
  const parts: string[] = []
  for (const table of tables)
    parts.push(table, JSON.stringify(await db(table).select('*').orderByRaw('rowid')))
  return parts.join('\n')
}
