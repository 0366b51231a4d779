import type { Knex } from 'knex'
import type { SecretBox } from '../core/security/secretBox'
import type { SyncEntity, SyncValue } from '../shared/syncProtocol'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a database row, read column by column below
type Row = Record<string, any>

/**
 * How central reads one synced entity for a branch's pull and builds its value (docs/sync-protocol.md:
 * Pull). One entry per entity in SYNC_ENTITIES: the value's type comes from the protocol's schema, so a
 * field the branch would not find does not compile here.
 */
export interface PullSource<E extends SyncEntity> {
  /** The branch's rows of this entity, filtered as the pull sends them (no select: the window adds its own). */
  rows(trx: Knex.Transaction, branch: string): Knex.QueryBuilder
  /** The version column as `rows` names it. */
  version: string
  /** The columns a page reads. */
  columns: string
  key(row: Row): string
  value(row: Row, ctx: { secretBox: SecretBox }): SyncValue<E>
}

/**
 * A branch's tokens (tokens have no branch column): driven by the tokens' own version index, with the
 * customer's branch checked per token. A join lets the planner read every customer of the branch
 * first, i.e. the whole branch on every page of a bootstrap.
 */
function tokensOfBranch(trx: Knex.Transaction, branch: string): Knex.QueryBuilder {
  return trx('tokens as t').whereExists(
    trx('customers as c').select(trx.raw('1')).whereRaw('c.cif = t.cif').andWhere('c.branch_code', branch),
  )
}

const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))

export const PULL_SOURCES: { [E in SyncEntity]: PullSource<E> } = {
  customer: {
    rows: (trx, branch) => trx('customers').where({ branch_code: branch }),
    version: 'version',
    columns: '*',
    key: (c) => String(c.cif),
    value: (c) => ({
      cif: c.cif,
      nameKanji: c.name_kanji,
      nameKana: c.name_kana,
      birthDate: c.birth_date,
      phone: c.phone,
      homeBranch: c.branch_code,
      otpStatus: c.otp_status,
      statusChangedAt: c.status_changed_at,
      accounts: JSON.parse(String(c.accounts_json)),
    }),
  },
  token: {
    rows: tokensOfBranch,
    version: 't.version',
    columns: 't.*',
    key: (t) => String(t.uid),
    value: (t) => ({
      uid: t.uid,
      cif: t.cif,
      kind: t.kind,
      serial: nullable(t.serial),
      state: t.state,
      issuedAt: nullable(t.issued_at),
      activatedAt: nullable(t.activated_at),
      revokedAt: nullable(t.revoked_at),
    }),
  },
  request: {
    rows: (trx, branch) => trx('requests').where({ branch_code: branch }),
    version: 'version',
    columns: '*',
    key: (r) => String(r.id),
    value: (r) => ({
      id: r.id,
      kind: r.kind,
      cif: r.cif,
      state: r.state,
      maker: r.maker,
      checker: nullable(r.checker),
      prevStatus: r.prev_status ?? null,
      tokenUid: nullable(r.token_uid),
      createdAt: nullable(r.created_at),
      decidedAt: nullable(r.decided_at),
      decisionReason: nullable(r.decision_reason),
      detail: JSON.parse(String(r.detail_json)),
    }),
  },
  staff: {
    // Disabled staff leave the branch's view (a tombstone says so).
    rows: (trx, branch) => trx('staff').where({ branch_code: branch }).andWhere('active', true),
    version: 'version',
    columns: '*',
    key: (s) => String(s.staff_id),
    // Password hashes and supervisors' authenticator keys travel so staff can log in and approve at
    // every PC of the branch while central is unreachable (docs/security.md).
    value: (s, { secretBox }) => ({
      staffId: s.staff_id,
      name: s.name,
      role: s.role,
      passwordHash: s.password_hash,
      mustChangePassword: Boolean(s.must_change_password),
      totpSecret: s.totp_secret_sealed
        ? secretBox.open(s.totp_secret_sealed, `totp:${s.staff_id}`).toString('utf8')
        : null,
      totpEnrolledAt: nullable(s.totp_enrolled_at),
    }),
  },
  inventory: {
    rows: (trx, branch) => trx('inventory').where({ branch_code: branch }),
    version: 'version',
    columns: '*',
    key: (i) => String(i.serial),
    value: (i, { secretBox }) => ({
      serial: i.serial,
      state: i.state,
      algorithm: i.algorithm,
      digits: Number(i.digits),
      period: i.period === null ? null : Number(i.period),
      counter: Number(i.counter),
      // Seeds travel only for devices in this branch's stock (TLS enforced by the branch's URL check).
      seed:
        i.state === 'in_stock' && i.seed_sealed
          ? secretBox.open(i.seed_sealed, `seed:${i.serial}`).toString('base64')
          : null,
      receivedOn: nullable(i.received_on),
    }),
  },
}
