import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import knex, { type Knex } from 'knex'
import { SecretBox } from '../../src/core/security/secretBox'
import { migrateCentral, openCentralDb } from '../../src/central/db'
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

async function freshDatabase(
  engine: 'sqlite' | 'postgres',
  dir: string,
): Promise<{ db: Knex; drop(): Promise<void> }> {
  if (engine === 'sqlite')
    return { db: openCentralDb({ dbFile: join(dir, 'central.sqlite') }), drop: async () => {} }
  const admin = process.env['TEST_POSTGRES_URL']!
  const name = `td_console_${randomBytes(6).toString('hex')}`
  const root = knex({ client: 'pg', connection: admin })
  await root.raw(`CREATE DATABASE ${name}`)
  const url = new URL(admin)
  url.pathname = `/${name}`
  return {
    db: openCentralDb({ databaseUrl: url.toString() }),
    drop: async () => {
      await root.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await root.destroy()
    },
  }
}

/** A real central on 127.0.0.1 (a SQLite file, or a fresh PostgreSQL database) with the demo bank and demo HQ office, on a test clock. */
export async function startConsoleCentral(
  options: { clock?: TestClock; https?: { cert: Buffer; key: Buffer }; engine?: 'sqlite' | 'postgres' } = {},
): Promise<ConsoleCentral> {
  const clock = options.clock ?? testClock()
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-console-'))
  const { db, drop } = await freshDatabase(options.engine ?? 'sqlite', dir)
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
