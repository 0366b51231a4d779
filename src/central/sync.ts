import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Knex } from 'knex'
import {
  type Mutation,
  type PatchOp,
  type PushRequest,
  SYNC_ENTITY_NAMES,
  type SyncEntity,
} from '../shared/syncProtocol'
import { applyMutation, Rejection } from '../core/mutators'
import { HARD_TOKEN_FEE_YEN } from '../shared/fees'
import type { SecretBox } from '../core/security/secretBox'
import type { CoreBanking } from './coreBanking'
import { nextVersion } from './db'
import { pullWindow } from './pullWindow'
import { PULL_SOURCES } from './pullEntities'
import { PushBatchStore } from './pushBatch'
import { checkAuditAnchor, type AuditAlert } from './auditAlerts'
import { type CredentialCache, stillValid, type VerifiedClient } from './credentialCache'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export type Client = VerifiedClient

const unauthenticated = () => new HttpError(401, 'UNAUTHENTICATED', 'bad credentials')

/**
 * `Authorization: Bearer <clientId>.<secret>`; central keeps only the secret's hash. A revoked PC is refused.
 * With a cache (push and pull), a credential verified in the last minute is not read again here: those
 * two re-check the PC's row inside their transaction (`stillValid`), so a revocation still takes effect
 * on the next request.
 */
export async function authenticate(
  db: Knex,
  header: string | undefined,
  cache?: CredentialCache,
): Promise<Client> {
  const match = /^Bearer ([A-Za-z0-9-]+)\.([A-Za-z0-9_-]+)$/.exec(header ?? '')
  if (!match) throw new HttpError(401, 'UNAUTHENTICATED', 'no or malformed credentials')
  const clientId = match[1]!
  const secretHash = sha256(match[2]!)
  const nowMs = Date.now()
  const known = cache?.get(clientId, secretHash, nowMs)
  if (known) return known
  const client = await db('clients').where({ client_id: clientId }).first()
  const given = Buffer.from(secretHash)
  const stored = Buffer.from(String(client?.secret_hash ?? ''))
  if (!client || given.length !== stored.length || !timingSafeEqual(given, stored) || client.revoked_at) {
    cache?.forget(clientId)
    throw unauthenticated()
  }
  const verified: Client = {
    client_id: client.client_id,
    branch_code: client.branch_code,
    last_mutation_id: Number(client.last_mutation_id),
    secretHash,
  }
  cache?.remember(verified, nowMs)
  return verified
}

export async function createEnrollmentCode(db: Knex, branchCode: string, now: Date): Promise<string> {
  const branch = await db('branches').where({ code: branchCode }).first()
  if (!branch) throw new Error(`no branch ${branchCode}`)
  const code = randomBytes(9).toString('base64url')
  await db('enrollment_codes').insert({
    code_hash: sha256(code),
    branch_code: branchCode,
    expires_at: new Date(now.getTime() + 24 * 3600_000).toISOString(),
  })
  return code
}

/**
 * An enrolment code is single-use and expires after 24 hours. The PC gets the next workstation number of
 * its branch (01, 02, …): its receipts are numbered with it, so they never collide with another PC's.
 */
export async function enroll(
  db: Knex,
  input: { branchCode: string; enrollmentCode: string; workstationName: string },
  now: Date,
) {
  return db.transaction(async (trx) => {
    const code = await trx('enrollment_codes')
      .where({ code_hash: sha256(input.enrollmentCode), branch_code: input.branchCode })
      .forUpdate()
      .first()
    if (!code || code.used_at || code.expires_at < now.toISOString()) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'unknown, used or expired enrolment code')
    }
    const branch = await trx('branches').where({ code: input.branchCode }).forUpdate().first()
    await trx('enrollment_codes').where({ code_hash: code.code_hash }).update({ used_at: now.toISOString() })
    const numbers = await trx('clients').where({ branch_code: input.branchCode }).pluck('workstation_no')
    const next = Math.max(0, ...numbers.filter(Boolean).map(Number)) + 1
    if (next > 99) throw new HttpError(409, 'NO_WORKSTATION_NUMBER', 'the branch has 99 workstations already')
    const workstationNo = String(next).padStart(2, '0')
    const clientId = `ws-${input.branchCode}-${randomBytes(4).toString('hex')}`
    const secret = randomBytes(32).toString('base64url')
    await trx('clients').insert({
      client_id: clientId,
      branch_code: input.branchCode,
      workstation_name: input.workstationName,
      workstation_no: workstationNo,
      secret_hash: sha256(secret),
      last_mutation_id: 0,
      created_at: now.toISOString(),
    })
    return { clientId, secret, workstationNo, branchName: branch.name as string }
  })
}

type PushResult = { id: number; status: 'applied' | 'rejected' | 'duplicate'; code?: string }

/** A constraint a mutation's own rows break (a duplicate key, a missing parent) is that mutation's fault. */
function isConstraintError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code
  return (
    (typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code))) || false
  )
}

/**
 * One transaction per push (SYNC-PROTOCOL.md: Push): duplicates skipped, a gap is 409, each mutation parsed
 * and applied in its own savepoint — its refusal (malformed, a rule, a constraint) is its own `rejected`
 * result and the push goes on. Only a failure of central itself aborts everything (the caller answers 503).
 */
export async function push(
  db: Knex,
  client: Client,
  body: Pick<PushRequest, 'mutations' | 'status'>,
  now: Date,
  secretBox: SecretBox,
  hooks: { auditAlert?: (alert: AuditAlert) => void } = {},
) {
  // Told to the caller (central's log) only once the push has committed.
  const found: { alert?: AuditAlert } = {}
  const answer = await db.transaction(async (trx) => {
    const row = await trx('clients').where({ client_id: client.client_id }).forUpdate().first()
    if (!stillValid(row, client)) throw unauthenticated()
    let last = Number(row.last_mutation_id)
    const results: PushResult[] = []
    const fresh: Mutation[] = []
    const earlier = new Map<number, string | null>()
    const repeated = body.mutations.filter((m) => m.id <= last).map((m) => m.id)
    if (repeated.length) {
      const rows = await trx('mutations').where({ client_id: client.client_id }).whereIn('id', repeated)
      for (const r of rows) earlier.set(Number(r.id), r.status === 'rejected' ? r.code : null)
    }
    for (const m of body.mutations) {
      // A duplicate says how it was answered the first time, so a lost answer loses no rejection.
      const code = earlier.get(m.id)
      if (m.id <= last)
        results.push(code ? { id: m.id, status: 'duplicate', code } : { id: m.id, status: 'duplicate' })
      else fresh.push(m)
    }
    fresh.forEach((m, i) => {
      if (m.id !== last + 1 + i)
        throw new HttpError(409, 'MUTATION_GAP', `expected mutation ${last + 1 + i}, got ${m.id}`)
    })
    const at = now.toISOString()
    // A cut or rewritten audit log is flagged and the anchor keeps its last good values (issue 10).
    const broken = body.status ? await checkAuditAnchor(trx, row, body.status, at) : null
    if (broken?.alert) found.alert = broken.alert
    // The PC's row is written once, at the end (what it reported, when, and how far it got).
    const seen = {
      last_seen_at: at,
      last_push_at: at,
      ...(body.status
        ? {
            queue_depth: body.status.queueDepth,
            oldest_pending_at: body.status.oldestPendingAt,
            // The PC's queue counts this batch: when the batch is all of it, the PC held nothing else.
            ...(body.status.queueDepth <= body.mutations.length ? { queue_emptied_at: at } : {}),
            app_version: body.status.appVersion,
            ...(broken
              ? {}
              : {
                  audit_count: body.status.auditCount,
                  audit_hash: body.status.auditHash,
                  audit_anchored_at: at,
                }),
          }
        : {}),
    }
    if (!fresh.length) {
      await trx('clients').where({ client_id: client.client_id }).update(seen)
      return { lastMutationId: last, results }
    }
    const version = await nextVersion(trx)
    // One store for the whole batch: its reads are loaded up front and its new requests written
    // together (issue 11: a day's queue drains in seconds, not minutes).
    const batch = new PushBatchStore(trx, version, client.branch_code, secretBox)
    await batch.prefetch(fresh)
    const log: Record<string, unknown>[] = []
    for (const m of fresh) {
      let result: PushResult = { id: m.id, status: 'applied' }
      const credentialsOf = credentialChangeOf(m)
      batch.begin()
      try {
        if (credentialsOf && (await credentialFailures(trx, credentialsOf)) >= CREDENTIAL_TRIES)
          throw new Rejection(
            'CREDENTIALS_LOCKED',
            `${credentialsOf}: too many wrong passwords; HQ resets it`,
          )
        await applyMutation(
          { store: batch, branchCode: client.branch_code, actor: m.actor, at, side: 'central' },
          m.name,
          m.args,
        )
        await batch.applied()
      } catch (e) {
        await batch.refused()
        if (e instanceof Rejection) result = { id: m.id, status: 'rejected', code: e.code }
        else if (isConstraintError(e)) result = { id: m.id, status: 'rejected', code: 'CONFLICT' }
        else throw e
      }
      if (credentialsOf) await countCredentialCheck(trx, credentialsOf, result)
      log.push({
        client_id: client.client_id,
        id: m.id,
        name: m.name,
        status: result.status,
        code: result.code ?? null,
        actor: m.actor,
        client_created_at: m.createdAt,
        version,
      })
      results.push(result)
      last = m.id
    }
    await batch.flush()
    // One statement for a full push (500 rows × 8 columns: within both engines' limits on bound values).
    for (let i = 0; i < log.length; i += 500) await trx('mutations').insert(log.slice(i, i + 500))
    await trx('clients')
      .where({ client_id: client.client_id })
      .update({ ...seen, last_mutation_id: last })
    return { lastMutationId: last, results }
  })
  if (found.alert) hooks.auditAlert?.(found.alert)
  return answer
}

/**
 * Central's own limit on wrong passwords in credential changes (the branch has its lockout, but a modified PC
 * could send guesses straight to central, each answered after a scrypt check inside the push). After
 * CREDENTIAL_TRIES wrong ones in a row, central refuses that person's credential changes without checking
 * until HQ resets their password (which also clears the count).
 */
const CREDENTIAL_TRIES = 5
const CREDENTIAL_CHANGES = new Set(['staff.change_password', 'staff.enrol_totp'])

function credentialChangeOf(m: Mutation): string | null {
  const staffId = (m.args as { staffId?: unknown } | null)?.staffId
  return CREDENTIAL_CHANGES.has(m.name) && typeof staffId === 'string' ? staffId : null
}

async function credentialFailures(trx: Knex.Transaction, staffId: string): Promise<number> {
  // Locked until the push commits: concurrent pushes from other PCs take their guesses one after another.
  const row = await trx('staff').where({ staff_id: staffId }).forUpdate().first('credential_failures')
  return Number(row?.credential_failures ?? 0)
}

async function countCredentialCheck(trx: Knex.Transaction, staffId: string, result: PushResult) {
  if (result.status === 'applied')
    await trx('staff')
      .where({ staff_id: staffId })
      .where('credential_failures', '>', 0)
      .update({ credential_failures: 0 })
  else if (result.code === 'STALE_PASSWORD')
    await trx('staff').where({ staff_id: staffId }).increment('credential_failures', 1)
}

type Entry = { version: number; op: PatchOp }

/** How finely a pull keeps a PC's "last seen" (HQ shows a PC as offline after an hour). */
export const LAST_SEEN_RESOLUTION_MS = 60_000

/**
 * The branch's rows changed after `cookie`, oldest first, at most 5,000 entries (plus the rest of the
 * last version), read in one transaction so the patch and lastMutationId agree. Rows that left the
 * branch's view come as `del` from their tombstones; a first pull starts with `clear`.
 */
export async function pull(db: Knex, client: Client, cookie: number | null, secretBox: SecretBox, now: Date) {
  return db.transaction(async (trx) => {
    // Read first: on PostgreSQL each statement sees the latest commits, so the patch read after it
    // shows at least every mutation this acknowledges.
    // Central's version comes in the same statement (one round trip less; the same moment on both).
    const me = await trx('clients')
      .where({ client_id: client.client_id })
      .first(
        'last_mutation_id',
        'last_seen_at',
        'secret_hash',
        'revoked_at',
        trx.raw("(select value from meta where key = 'version') as current_version"),
      )
    if (!stillValid(me, client)) throw new HttpError(401, 'UNAUTHENTICATED', 'bad credentials')
    const lastMutationId = Number(me.last_mutation_id)
    // "Last seen" is shown to HQ by the minute (a PC is offline after an hour): a pull writes it only
    // when it is older than that, so the pull after a push (which wrote it) is read-only — no write
    // lock, no commit to disk (issue 11: central under load).
    const seenAt = now.toISOString()
    const lastSeen = me.last_seen_at ? Date.parse(String(me.last_seen_at)) : NaN
    if (!(now.getTime() - lastSeen < LAST_SEEN_RESOLUTION_MS))
      await trx('clients').where({ client_id: client.client_id }).update({ last_seen_at: seenAt })
    const current = Number(me.current_version)
    const fromScratch = cookie === null || cookie > current
    const since = fromScratch ? -1 : cookie
    // Nothing committed since the cookie: nothing to send, and no mutation can have been rejected
    // after it (a rejection carries its push's version).
    if (since === current)
      return { cookie: current, lastMutationId, patch: [], more: false, remaining: 0, rejections: [] }
    const b = client.branch_code
    // Only this page's versions are read (issue 11: a bootstrap reads each row once, not once a page),
    // and only the kinds that have a change in it.
    const window = await pullWindow(trx, b, since, current, fromScratch)
    const upTo = window.upTo
    const entries: Entry[] = []
    for (const entity of SYNC_ENTITY_NAMES) {
      if (!window.has(entity)) continue
      const source = PULL_SOURCES[entity]
      const rows = await source
        .rows(trx, b)
        .andWhere(source.version, '>', since)
        .andWhere(source.version, '<=', upTo)
        .select(source.columns)
      for (const row of rows)
        entries.push({
          version: Number(row.version),
          op: { op: 'put', entity, key: source.key(row), value: source.value(row, { secretBox }) } as PatchOp,
        })
    }
    if (!fromScratch && window.has('tombstones')) {
      for (const t of await trx('tombstones')
        .where({ branch_code: b })
        .andWhere('version', '>', since)
        .andWhere('version', '<=', upTo)) {
        entries.push({
          version: Number(t.version),
          op: { op: 'del', entity: t.entity as SyncEntity, key: t.key },
        })
      }
    }
    // Stable: within one version, tombstones (read last) follow the puts they supersede.
    entries.sort((a, b2) => a.version - b2.version)
    const page = entries
    const { more, cookie: newCookie } = window
    const patch: PatchOp[] = fromScratch ? [{ op: 'clear' }, ...page.map((e) => e.op)] : page.map((e) => e.op)
    const rejections = await trx('mutations')
      .where({ client_id: client.client_id, status: 'rejected' })
      .andWhere('version', '>', since)
      .andWhere('id', '<=', lastMutationId)
      .orderBy('id')
      .select('id', 'code')
    return {
      cookie: newCookie,
      lastMutationId,
      patch,
      more,
      remaining: window.remaining,
      rejections: rejections.map((r) => ({ id: Number(r.id), code: String(r.code) })),
    }
  })
}

/**
 * 口座振替 settles here before the branch writes the receipt: the core-banking system debits or refuses,
 * and one debit per receipt number is kept, so a retry answers what the first try did.
 */
export async function debit(
  db: Knex,
  client: Client,
  input: { receiptNo: string; cif: string; account: string; amountYen: number },
  coreBanking: CoreBanking,
  now: Date,
) {
  return db.transaction(async (trx) => {
    const customer = await trx('customers').where({ cif: input.cif }).first('branch_code')
    if (!customer || customer.branch_code !== client.branch_code)
      throw new HttpError(403, 'FORBIDDEN_BRANCH', 'not a customer of this branch')
    // The PC debits under its own receipt numbers only; the amount is the fee, whatever the PC says.
    const ws = (await trx('clients').where({ client_id: client.client_id }).first('workstation_no'))
      .workstation_no
    if (!input.receiptNo.startsWith(`${client.branch_code}-${ws}-`))
      throw new HttpError(403, 'FORBIDDEN_RECEIPT', 'not a receipt number of this PC')
    if (input.amountYen !== HARD_TOKEN_FEE_YEN)
      throw new HttpError(400, 'MALFORMED', `the fee is ${HARD_TOKEN_FEE_YEN} yen`)
    const earlier = await trx('debits').where({ receipt_no: input.receiptNo }).forUpdate().first()
    if (earlier) {
      const same = earlier.account === input.account && Number(earlier.amount_yen) === input.amountYen
      return same
        ? ({ ok: true, debitedAt: earlier.debited_at as string } as const)
        : ({ ok: false, code: 'DEBIT_CONFLICT' } as const)
    }
    // The claim on the receipt number comes first: a second request for it waits on the key, then
    // fails, and is answered from this row on its retry — the core system is never asked twice.
    const debitedAt = now.toISOString()
    await trx('debits').insert({
      receipt_no: input.receiptNo,
      account: input.account,
      cif: input.cif,
      branch_code: client.branch_code,
      amount_yen: input.amountYen,
      client_id: client.client_id,
      debited_at: debitedAt,
    })
    const outcome = await coreBanking.debit(trx, input)
    if (!outcome.ok) {
      await trx('debits').where({ receipt_no: input.receiptNo }).delete()
      return { ok: false, code: outcome.code } as const
    }
    return { ok: true, debitedAt } as const
  })
}
