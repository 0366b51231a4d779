import type { Knex } from 'knex'
import type { MutatorStore } from '../core/mutators'
import type { CustomerRow, NewRequest, RequestRow, StaffRow, TokenRow } from '../core/mutators/store'
import { Rejection } from '../core/mutators/rejection'
import type { Mutation } from '../shared/syncProtocol'
import type { OtpStatus } from '../shared/domain'
import { CentralStore, requestRow } from './store'

const OPEN_REVOCATION_STATES = ['awaiting_branch', 'awaiting_central']
const LIVE_TOKEN_STATES = ['issued', 'active']
/** Keys per `IN (…)` list: well under SQLite's and PostgreSQL's limits on bound values. */
const IN_LIST = 500

/**
 * Central's store for one push (speed at bank scale, issue 11). A branch back from a day offline pushes
 * its queue 500 mutations at a time; applying each through CentralStore costs a savepoint and half a
 * dozen statements. Here the batch's reads are made up front, one query per kind for the whole batch
 * (customers, staff, requests, open revocations and live tokens of every CIF named), and the requests
 * it creates are written with one multi-row INSERT at the end. The rules are the same mutators; only
 * where the rows come from changes.
 *
 * A mutation's buffered writes are kept apart until it is applied, so a refused one leaves nothing.
 * Every other write (status changes, decisions, tokens, receipts…) goes straight to the database inside
 * a savepoint opened at the mutation's first such write, after the batch's buffered rows are written
 * (later rows may refer to them), exactly as CentralStore would have written them.
 */
export class PushBatchStore implements MutatorStore {
  private readonly direct: CentralStore
  private readonly customers = new Map<string, CustomerRow | null>()
  private readonly staffRows = new Map<string, StaffRow | null>()
  /** Requests by id as this batch sees them (null: known not to exist). */
  private readonly requests = new Map<string, RequestRow | null>()
  /** CIFs whose open revocations are all in `requests`. */
  private readonly revocationsLoaded = new Set<string>()
  /** A CIF's live tokens, newest first (every live token of the CIF). */
  private readonly liveTokens = new Map<string, TokenRow[]>()
  /** Requests of applied mutations, not yet written. */
  private buffered: NewRequest[] = []
  /** Requests of the mutation being applied, not yet written. */
  private pending: NewRequest[] = []
  private undo: (() => void)[] = []
  private inSavepoint = false

  constructor(
    private readonly trx: Knex.Transaction,
    version: number,
    private readonly branchCode: string,
    secretBox: ConstructorParameters<typeof CentralStore>[3],
  ) {
    this.direct = new CentralStore(trx, version, branchCode, secretBox)
  }

  /** Loads what the batch's mutations will read: one query per kind for all of them. */
  async prefetch(mutations: Mutation[]): Promise<void> {
    const cifs = new Set<string>()
    const staff = new Set<string>()
    const requestIds = new Set<string>()
    for (const m of mutations) {
      staff.add(m.actor)
      const { cif, requestId, checker } = m.args as Record<string, unknown>
      if (typeof cif === 'string') cifs.add(cif)
      if (typeof checker === 'string') staff.add(checker)
      if (typeof requestId === 'string') requestIds.add(requestId)
    }
    for (const id of requestIds) this.requests.set(id, null)
    const cifParts = chunks([...cifs])
    const idParts = chunks([...requestIds])
    for (const part of cifParts) {
      for (const cif of part) {
        this.customers.set(cif, null)
        this.liveTokens.set(cif, [])
        this.revocationsLoaded.add(cif)
      }
      for (const c of await this.trx('customers')
        .whereIn('cif', part)
        .select('cif', 'branch_code', 'otp_status'))
        this.customers.set(c.cif, customerRow(c))
      for (const t of await this.trx('tokens')
        .whereIn('cif', part)
        .whereIn('state', LIVE_TOKEN_STATES)
        .orderBy('issued_at', 'desc'))
        this.liveTokens.get(t.cif)!.push(tokenRow(t))
    }
    // The CIFs' open revocations and the requests named by id, in two statements: joined by OR they made
    // PostgreSQL scan the whole table (a push's cost then grew with `requests`, issue 11).
    for (const part of cifParts)
      for (const r of await this.trx('requests')
        .whereIn('cif', part)
        .andWhere({ kind: 'revocation' })
        .whereIn('state', OPEN_REVOCATION_STATES))
        this.requests.set(r.id, requestRow(r))
    for (const part of idParts)
      for (const r of await this.trx('requests').whereIn('id', part)) this.requests.set(r.id, requestRow(r))
    for (const part of chunks([...staff])) {
      for (const id of part) this.staffRows.set(id, null)
      for (const s of await this.trx('staff')
        .whereIn('staff_id', part)
        .select('staff_id', 'branch_code', 'role', 'active', 'password_hash'))
        this.staffRows.set(s.staff_id, staffRow(s))
    }
  }

  /** Starts a mutation: what it writes is kept apart until `applied` (or undone by `refused`). */
  begin(): void {
    this.pending = []
    this.undo = []
    this.inSavepoint = false
  }

  async applied(): Promise<void> {
    if (this.inSavepoint) await this.trx.raw('RELEASE SAVEPOINT push_mutation')
    this.buffered.push(...this.pending)
    this.pending = []
  }

  async refused(): Promise<void> {
    if (this.inSavepoint) {
      await this.trx.raw('ROLLBACK TO SAVEPOINT push_mutation')
      await this.trx.raw('RELEASE SAVEPOINT push_mutation')
    }
    for (const step of this.undo.reverse()) step()
    this.pending = []
  }

  /** Writes the applied mutations' buffered requests. */
  async flush(): Promise<void> {
    await this.direct.insertRequests(this.buffered)
    this.buffered = []
  }

  /** Before a direct write: earlier rows are written, then the savepoint that can undo this mutation. */
  private async writeDirectly(): Promise<void> {
    if (this.inSavepoint) return
    await this.flush()
    await this.trx.raw('SAVEPOINT push_mutation')
    this.inSavepoint = true
    await this.direct.insertRequests(this.pending)
    this.pending = []
  }

  private remember<K, V>(map: Map<K, V>, key: K): void {
    const had = map.has(key)
    const before = map.get(key)
    this.undo.push(() => (had ? map.set(key, before as V) : map.delete(key)))
  }

  async customer(cif: string) {
    if (!this.customers.has(cif)) {
      const c = await this.trx('customers').where({ cif }).first('cif', 'branch_code', 'otp_status')
      this.customers.set(cif, c ? customerRow(c) : null)
    }
    return this.customers.get(cif) ?? undefined
  }

  async setCustomerStatus(cif: string, status: OtpStatus, at: string) {
    await this.writeDirectly()
    await this.direct.setCustomerStatus(cif, status, at)
    const known = this.customers.get(cif)
    this.remember(this.customers, cif)
    if (known) this.customers.set(cif, { ...known, otpStatus: status })
    else this.customers.delete(cif)
  }

  private async tokensOf(cif: string): Promise<TokenRow[]> {
    if (!this.liveTokens.has(cif)) {
      const rows = await this.trx('tokens')
        .where({ cif })
        .whereIn('state', LIVE_TOKEN_STATES)
        .orderBy('issued_at', 'desc')
      this.liveTokens.set(cif, rows.map(tokenRow))
    }
    return this.liveTokens.get(cif)!
  }

  async liveToken(cif: string) {
    return (await this.tokensOf(cif))[0]
  }

  async insertToken(token: TokenRow & { issuedAt: string; requestId: string }) {
    await this.writeDirectly()
    await this.direct.insertToken(token)
    if (LIVE_TOKEN_STATES.includes(token.state)) {
      const live = await this.tokensOf(token.cif)
      this.remember(this.liveTokens, token.cif)
      const { uid, cif, kind, serial, state } = token
      this.liveTokens.set(token.cif, [{ uid, cif, kind, serial, state }, ...live])
    }
  }

  async request(id: string) {
    if (!this.requests.has(id)) {
      const r = await this.trx('requests').where({ id }).first()
      this.requests.set(id, r ? requestRow(r) : null)
    }
    return this.requests.get(id) ?? undefined
  }

  async openRevocation(cif: string) {
    if (!this.revocationsLoaded.has(cif)) {
      for (const r of await this.trx('requests')
        .where({ cif, kind: 'revocation' })
        .whereIn('state', OPEN_REVOCATION_STATES))
        if (!this.requests.has(r.id)) this.requests.set(r.id, requestRow(r))
      this.revocationsLoaded.add(cif)
    }
    for (const r of this.requests.values())
      if (r && r.cif === cif && r.kind === 'revocation' && OPEN_REVOCATION_STATES.includes(r.state)) return r
    return undefined
  }

  async insertRequest(r: NewRequest) {
    // The primary key is checked here, since the row is written later: the same refusal a direct
    // INSERT's constraint error gives (CONFLICT).
    if (await this.request(r.id)) throw new Rejection('CONFLICT', `request ${r.id} exists`)
    this.remember(this.requests, r.id)
    this.requests.set(r.id, {
      id: r.id,
      kind: r.kind,
      cif: r.cif,
      branchCode: this.branchCode,
      state: r.state,
      maker: r.maker,
      checker: r.checker,
      prevStatus: r.prevStatus,
      tokenUid: r.tokenUid,
      reason: r.reason ?? null,
    })
    if (this.inSavepoint) await this.direct.insertRequest(r)
    else this.pending.push(r)
  }

  async decideRequest(id: string, d: Parameters<MutatorStore['decideRequest']>[1]) {
    await this.writeDirectly()
    await this.direct.decideRequest(id, d)
    const known = this.requests.get(id)
    this.remember(this.requests, id)
    if (known)
      this.requests.set(id, {
        ...known,
        state: d.state,
        ...(d.checker !== undefined ? { checker: d.checker } : {}),
      })
    else this.requests.delete(id)
  }

  async staff(staffId: string) {
    if (!this.staffRows.has(staffId)) {
      const s = await this.trx('staff')
        .where({ staff_id: staffId })
        .first('staff_id', 'branch_code', 'role', 'active', 'password_hash')
      this.staffRows.set(staffId, s ? staffRow(s) : null)
    }
    return this.staffRows.get(staffId) ?? undefined
  }

  // Rarer writes and reads of rows the batch does not cache go straight to CentralStore.
  device: MutatorStore['device'] = (serial) => this.direct.device(serial)
  receipt: MutatorStore['receipt'] = (receiptNo) => this.direct.receipt(receiptNo)
  dayClosed: MutatorStore['dayClosed'] = (staffId, date) => this.direct.dayClosed(staffId, date)
  debitMade: MutatorStore['debitMade'] = (receipt) => this.direct.debitMade(receipt)
  setDeviceState: MutatorStore['setDeviceState'] = async (serial, state) => {
    await this.writeDirectly()
    await this.direct.setDeviceState(serial, state)
  }
  setPassword: MutatorStore['setPassword'] = async (staffId, passwordHash, changedAt) => {
    await this.writeDirectly()
    await this.direct.setPassword(staffId, passwordHash, changedAt)
    const known = this.staffRows.get(staffId)
    this.remember(this.staffRows, staffId)
    if (known) this.staffRows.set(staffId, { ...known, passwordHash })
    else this.staffRows.delete(staffId)
  }
  setAuthenticator: MutatorStore['setAuthenticator'] = async (...args) => {
    await this.writeDirectly()
    await this.direct.setAuthenticator(...args)
  }
  insertReceipt: MutatorStore['insertReceipt'] = async (...args) => {
    await this.writeDirectly()
    await this.direct.insertReceipt(...args)
  }
  voidReceipt: MutatorStore['voidReceipt'] = async (...args) => {
    await this.writeDirectly()
    await this.direct.voidReceipt(...args)
  }
  insertDayClose: MutatorStore['insertDayClose'] = async (...args) => {
    await this.writeDirectly()
    await this.direct.insertDayClose(...args)
  }
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += IN_LIST) out.push(items.slice(i, i + IN_LIST))
  return out
}

function customerRow(c: Record<string, unknown>): CustomerRow {
  return {
    cif: String(c['cif']),
    branchCode: String(c['branch_code']),
    otpStatus: c['otp_status'] as OtpStatus,
  }
}

function staffRow(s: Record<string, unknown>): StaffRow {
  return {
    staffId: String(s['staff_id']),
    branchCode: String(s['branch_code']),
    role: s['role'] as StaffRow['role'],
    active: Boolean(s['active']),
    passwordHash: String(s['password_hash']),
  }
}

function tokenRow(t: Record<string, unknown>): TokenRow {
  return {
    uid: String(t['uid']),
    cif: String(t['cif']),
    kind: t['kind'] as TokenRow['kind'],
    serial: (t['serial'] as string | null) ?? null,
    state: t['state'] as TokenRow['state'],
  }
}
