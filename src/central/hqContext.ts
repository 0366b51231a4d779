import type { Knex } from 'knex'
import type { SecretBox } from '../core/security/secretBox'
import type { HqActor } from './hqActor'

/** What every HQ service function is called with: central's database, the sealing key, the caller, central's clock. */
export interface HqContext {
  db: Knex
  secretBox: SecretBox
  actor: HqActor
  now: Date
}
