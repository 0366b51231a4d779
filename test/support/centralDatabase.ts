import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import knex, { type Knex } from 'knex'
import { openCentralDb } from '../../src/central/db'

/**
 * A fresh central database for one test: a SQLite file in `dir`, or a new PostgreSQL database on the
 * server TEST_POSTGRES_URL names, dropped afterwards.
 */
export async function freshCentralDatabase(
  engine: 'sqlite' | 'postgres',
  dir: string,
  prefix = 'td',
): Promise<{ db: Knex; drop(): Promise<void> }> {
  if (engine === 'sqlite')
    return { db: openCentralDb({ dbFile: join(dir, 'central.sqlite') }), drop: async () => {} }
  const admin = process.env['TEST_POSTGRES_URL']!
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const root = knex({ client: 'pg', connection: admin })
  await root.raw(`CREATE DATABASE ${name}`)
  const url = new URL(admin)
  url.pathname = `/${name}`
  return {
    db: openCentralDb({ databaseUrl: url.toString() }),
    drop: async () => {
      try {
        await dropDatabase(root, name)
      } finally {
        await root.destroy()
      }
    },
  }
}

/**
 * After a test that wrote many rows, an autovacuum worker may still be in the database; ending it needs
 * pg_signal_backend, which a plain test role may lack (42501). The worker finishes soon: try again.
 */
async function dropDatabase(root: Knex, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await root.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      return
    } catch (e) {
      if ((e as { code?: string }).code !== '42501' || attempt === 40) throw e
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}
