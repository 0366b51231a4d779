import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Knex } from 'knex'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { migrateCentral } from '../../src/central/db'
import { Hq } from '../../src/central/hq'
import { buildCentral } from '../../src/central/server'
import { createEnrollmentCode } from '../../src/central/sync'
import { SecretBox } from '../../src/core/security/secretBox'
import { freshCentralDatabase } from './centralDatabase'

export interface TestCentral {
  url: string
  db: Knex
  hq: Hq
  secretBox: SecretBox
  app: FastifyInstance
  enrollmentCode(branch?: string): Promise<string>
  stop(): Promise<void>
  close(): Promise<void>
}

/**
 * The database engines the central tests run on: SQLite always; PostgreSQL too when
 * TEST_POSTGRES_URL points at a server where the role may create databases (npm test sets it up).
 */
export const CENTRAL_ENGINES: ('sqlite' | 'postgres')[] = process.env['TEST_POSTGRES_URL']
  ? ['sqlite', 'postgres']
  : ['sqlite']

/** A real central on 127.0.0.1 with the demo bank, on a fresh database of the given engine. */
export async function startCentral(
  engine: 'sqlite' | 'postgres' = 'sqlite',
  options: { demo?: boolean; port?: number; logger?: FastifyBaseLogger } = {},
): Promise<TestCentral> {
  const dir = mkdtempSync(join(tmpdir(), 'token-desk-central-'))
  const { db, drop } = await freshCentralDatabase(engine, dir)
  await migrateCentral(db)
  const secretBox = new SecretBox(randomBytes(32))
  const hq = new Hq(db, secretBox)
  if (options.demo !== false) await hq.demo()
  let app = buildCentral({ db, secretBox, ...(options.logger ? { loggerInstance: options.logger } : {}) })
  const address = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 })
  const port = Number(new URL(address).port)
  const central: TestCentral = {
    url: `http://127.0.0.1:${port}`,
    db,
    hq,
    secretBox,
    app,
    enrollmentCode: (branch = '001') => createEnrollmentCode(db, branch, new Date()),
    // Stops answering (the branch sees central down) but keeps the data for a restart.
    stop: async () => {
      await central.app.close()
    },
    close: async () => {
      await central.app.close().catch(() => {})
      await db.destroy()
      await drop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  Object.defineProperty(central, 'restart', {
    value: async () => {
      app = buildCentral({ db, secretBox })
      await app.listen({ host: '127.0.0.1', port })
      central.app = app
    },
  })
  return central
}

export async function restartCentral(central: TestCentral): Promise<void> {
  await (central as unknown as { restart(): Promise<void> }).restart()
}
