import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { SecretBox } from '../../src/core/security/secretBox'
import { freshCentralDatabase } from './centralDatabase'
import { migrateCentral } from '../../src/central/db'
import { Hq } from '../../src/central/hq'
import { buildCentral } from '../../src/central/server'

/** Central's clock in a console test: moved by hand to try idle timeouts, expiry and due dates. */
export interface TestClock {
  now: Date
  advance(ms: number): void
}

export function testClock(start = new Date()): TestClock {
  const clock = {
    now: start,
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms)
    },
  }
  return clock
}

export interface ConsoleCentral {
  url: string
  db: Knex
  hq: Hq
  secretBox: SecretBox
  app: FastifyInstance
  clock: TestClock
  close(): Promise<void>
}

/** A real central on 127.0.0.1 (a SQLite file, or a fresh PostgreSQL database) with the demo bank and demo HQ office, on a test clock. */
export async function startConsoleCentral(
  options: { clock?: TestClock; https?: { cert: Buffer; key: Buffer }; engine?: 'sqlite' | 'postgres' } = {},
): Promise<ConsoleCentral> {
  const clock = options.clock ?? testClock()
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-console-'))
  const { db, drop } = await freshCentralDatabase(options.engine ?? 'sqlite', dir, 'td_console')
  await migrateCentral(db)
  const secretBox = new SecretBox(randomBytes(32))
  const hq = new Hq(db, secretBox, () => clock.now)
  await hq.demo()
  const app = buildCentral({
    db,
    secretBox,
    now: () => clock.now,
    ...(options.https ? { https: options.https } : {}),
  })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: address,
    db,
    hq,
    secretBox,
    app,
    clock,
    close: async () => {
      await app.close()
      await db.destroy()
      await drop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
