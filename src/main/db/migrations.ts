import type { Knex } from 'knex'
import * as m001 from './migrations/001_foundation'
import * as m002 from './migrations/002_counter'
import * as m003 from './migrations/003_revocations'
import * as m004 from './migrations/004_sync'
import * as m005 from './migrations/005_workstations'
import * as m006 from './migrations/006_speed'
import * as m007 from './migrations/007_hardening'
import * as m008 from './migrations/008_reports'
import * as m009 from './migrations/009_h14_problem_secrets'

/** A static list: bundlers cannot read a migrations folder at run time. Append only; never edit a shipped one. */
const MIGRATIONS: Record<string, Knex.Migration> = {
  '001_foundation': m001,
  '002_counter': m002,
  '003_revocations': m003,
  '004_sync': m004,
  '005_workstations': m005,
  '006_speed': m006,
  '007_hardening': m007,
  '008_reports': m008,
  '009_h14_problem_secrets': m009,
}

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = MIGRATIONS[name]
    if (!migration) throw new Error(`unknown migration ${name}`)
    return migration
  },
}
