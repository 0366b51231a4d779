import type { Knex } from 'knex'
import type { PatchOp, PutOp, SyncEntity, SyncValue } from '../../shared/syncProtocol'
import { kanaKey } from '../../core/domain/kana'
import type { SecretBox } from '../../core/security/secretBox'
import type { AuditLog } from '../services/audit'

interface PatchContext {
  now: string
  secretBox: SecretBox
  audit: AuditLog
}

/**
 * How this PC writes one synced entity into its tables (docs/sync-protocol.md: Pull): `put` lays central's
 * value down, `del` removes a row that left the branch's view. One entry per entity in SYNC_ENTITIES; the
 * value's type comes from the protocol's schema, so a field central does not send does not compile here.
 * An entity without `del` keeps its rows: a customer or a request stays on record where this PC took a
 * fee or made a request for it.
 */
interface EntityWriter<E extends SyncEntity> {
  put(trx: Knex.Transaction, value: SyncValue<E>, ctx: PatchContext): Promise<void>
  del?(trx: Knex.Transaction, key: string): Promise<void>
}

const ENTITY_WRITERS: { [E in SyncEntity]: EntityWriter<E> } = {
  customer: { put: putCustomer },
  token: {
    put: putToken,
    // A token this PC issued itself stays with its request.
    del: async (trx, uid) => {
      await trx('tokens').where({ uid }).whereNull('request_id').delete()
    },
  },
  request: { put: putRequest },
  staff: {
    put: putStaff,
    del: async (trx, staffId) => {
      await trx('staff').where({ staff_id: staffId }).delete()
    },
  },
  inventory: {
    put: putInventory,
    del: async (trx, serial) => {
      await trx('inventory').where({ serial }).delete()
    },
  },
}

/**
 * Central's state laid down in this PC's view (SYNC-PROTOCOL.md: Pull). Runs inside the pull's rebase,
 * after the pending work was undone and before it is re-applied.
 */
export async function applyPatchOp(trx: Knex.Transaction, op: PatchOp, ctx: PatchContext): Promise<void> {
  if (op.op === 'clear') return clearSyncedRows(trx)
  if (op.op === 'del') return ENTITY_WRITERS[op.entity].del?.(trx, op.key)
  return putEntity(trx, op, ctx)
}

function putEntity<E extends SyncEntity>(trx: Knex.Transaction, op: PutOp<E>, ctx: PatchContext) {
  return ENTITY_WRITERS[op.entity].put(trx, op.value, ctx)
}

/**
 * `clear` (a first pull, or a cookie central no longer knows): what follows is central's whole picture.
 * Staff and stock go now (logins and seeds must be exactly central's); customers and their tokens go when
 * this PC holds no history of them (receipts and requests keep theirs), and central's puts overwrite the rest.
 */
async function clearSyncedRows(trx: Knex.Transaction): Promise<void> {
  await trx('staff').delete()
  await trx('inventory').delete()
  await trx('tokens')
    .whereNotIn('uid', trx('requests').whereNotNull('token_uid').select('token_uid'))
    .whereNotIn('id', trx('requests').whereNotNull('token_id').select('token_id'))
    .delete()
  const kept = trx('requests')
    .select('cif')
    .union(trx('receipts').select('cif'))
    .union(trx('tokens').select('cif'))
  await trx('accounts').whereNotIn('cif', kept.clone()).delete()
  await trx('customers').whereNotIn('cif', kept).delete()
}

async function putCustomer(trx: Knex.Transaction, v: SyncValue<'customer'>, ctx: PatchContext) {
  await trx('customers')
    .insert({
      cif: v.cif,
      name_kanji: v.nameKanji,
      name_kana: v.nameKana,
      name_kana_key: kanaKey(v.nameKana),
      birth_date: v.birthDate,
      phone: v.phone,
      phone_digits: v.phone.replace(/\D/g, ''),
      home_branch: v.homeBranch,
      otp_status: v.otpStatus,
      status_changed_at: v.statusChangedAt,
      updated_at: ctx.now,
    })
    .onConflict('cif')
    .merge()
  for (const a of v.accounts) {
    await trx('accounts')
      .insert({ cif: v.cif, branch_code: a.branchCode, subject: a.subject, number: a.number })
      .onConflict(['branch_code', 'subject', 'number'])
      .ignore()
  }
}

async function putToken(trx: Knex.Transaction, v: SyncValue<'token'>) {
  await trx('tokens')
    .insert({
      uid: v.uid,
      cif: v.cif,
      kind: v.kind,
      serial: v.serial,
      state: v.state,
      issued_at: v.issuedAt,
      activated_at: v.activatedAt,
      revoked_at: v.revokedAt,
    })
    .onConflict('uid')
    .merge()
}

/** Central's decisions on revocations carry central's time and leave an audit row at the branch. */
async function putRequest(trx: Knex.Transaction, v: SyncValue<'request'>, ctx: PatchContext) {
  const local = await trx('requests').where({ id: v.id }).first()
  const detail = v.detail
  const paper = detail.paperForm ?? null
  const identity = detail.identity ?? null
  const decided =
    local?.kind === 'revocation' &&
    local.state === 'awaiting_central' &&
    (v.state === 'completed' || v.state === 'rejected')
  const row = {
    id: v.id,
    kind: v.kind,
    cif: v.cif,
    state: v.state,
    maker: v.maker,
    checker: v.checker,
    prev_status: v.prevStatus,
    token_uid: v.tokenUid,
    channel: detail.channel ?? null,
    reason: detail.reason ?? null,
    note: detail.note ?? null,
    form_no: paper?.formNo ?? local?.form_no ?? null,
    received_on: paper?.receivedOn ?? local?.received_on ?? null,
    due_on: local?.due_on ?? (paper ? addDaysIso(paper.receivedOn, 14) : null),
    identity_kind: identity?.kind ?? local?.identity_kind ?? null,
    identity_last4: identity?.last4 ?? local?.identity_last4 ?? null,
    decided_at: v.decidedAt ?? local?.decided_at ?? null,
    decided_by: decided ? 'central' : (local?.decided_by ?? null),
    decision_reason: v.decisionReason,
    detail_json: JSON.stringify(detail),
    updated_at: ctx.now,
  }
  if (local) await trx('requests').where({ id: v.id }).update(row)
  else await trx('requests').insert({ ...row, created_at: v.createdAt ?? ctx.now })
  if (decided) {
    const customer = await trx('customers').where({ cif: v.cif }).first('otp_status')
    await ctx.audit.append(trx, {
      actor: 'central',
      action: v.state === 'completed' ? 'revocation.complete' : 'revocation.central_reject',
      entity: 'customer',
      entityKey: v.cif,
      before: { state: local.state },
      after: {
        state: v.state,
        requestId: v.id,
        otpStatus: customer?.otp_status ?? null,
        decidedAt: v.decidedAt,
        ...(v.state === 'rejected' ? { reason: v.decisionReason } : {}),
      },
    })
  }
}

function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

async function putStaff(trx: Knex.Transaction, v: SyncValue<'staff'>, ctx: PatchContext) {
  const branch = await trx('branches').first('code')
  const totp =
    v.totpSecret !== null
      ? {
          totp_secret_sealed: ctx.secretBox.seal(Buffer.from(v.totpSecret, 'utf8'), `totp:${v.staffId}`),
          totp_enrolled_at: v.totpEnrolledAt ?? ctx.now,
        }
      : { totp_secret_sealed: null, totp_enrolled_at: null }
  const row = {
    name: v.name,
    role: v.role,
    password_hash: v.passwordHash,
    must_change_password: v.mustChangePassword,
    ...totp,
    updated_at: ctx.now,
  }
  const existing = await trx('staff').where({ staff_id: v.staffId }).first('staff_id')
  if (existing) await trx('staff').where({ staff_id: v.staffId }).update(row)
  else if (branch) await trx('staff').insert({ staff_id: v.staffId, branch_code: branch.code, ...row })
}

async function putInventory(trx: Knex.Transaction, v: SyncValue<'inventory'>, ctx: PatchContext) {
  const branch = await trx('branches').first('code')
  const seed = v.seed !== null && v.state === 'in_stock' ? Buffer.from(v.seed, 'base64') : null
  const existing = await trx('inventory').where({ serial: v.serial }).first()
  const row = {
    serial: v.serial,
    branch_code: branch.code,
    state: v.state,
    algorithm: v.algorithm,
    digits: v.digits,
    period: v.period,
    received_on: v.receivedOn ?? ctx.now.slice(0, 10),
    updated_at: ctx.now,
    // Seeds arrive over TLS for stock only and are sealed at once; a device no longer in stock (issued
    // and synced) has its seed deleted here.
    seed_sealed: seed
      ? ctx.secretBox.seal(seed, `seed:${v.serial}`)
      : v.state === 'in_stock'
        ? (existing?.seed_sealed ?? null)
        : null,
  }
  if (existing) await trx('inventory').where({ serial: v.serial }).update(row)
  else await trx('inventory').insert({ ...row, counter: v.counter })
}
