import type { Knex } from 'knex'
import type { PatchOp } from '../../shared/syncProtocol'
import { kanaKey } from '../../core/domain/kana'
import type { SecretBox } from '../../core/security/secretBox'
import type { AuditLog } from '../services/audit'

interface PatchContext {
  now: string
  secretBox: SecretBox
  audit: AuditLog
}

type Value = Record<string, unknown>

/**
 * Central's state laid down in this PC's view (SYNC-PROTOCOL.md: Pull). Runs inside the pull's rebase,
 * after the pending work was undone and before it is re-applied.
 */
export async function applyPatchOp(trx: Knex.Transaction, op: PatchOp, ctx: PatchContext): Promise<void> {
  if (op.op === 'clear') return clearSyncedRows(trx)
  if (op.op === 'del') return deleteRow(trx, op.entity, op.key)
  const v = op.value as Value
  switch (op.entity) {
    case 'customer':
      return putCustomer(trx, v, ctx)
    case 'token':
      return putToken(trx, v)
    case 'request':
      return putRequest(trx, v, ctx)
    case 'staff':
      return putStaff(trx, v, ctx)
    case 'inventory':
      return putInventory(trx, v, ctx)
    case 'settings':
      return
  }
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

/** A row left this branch's view at central (staff disabled or moved, a device allocated elsewhere). */
async function deleteRow(trx: Knex.Transaction, entity: string, key: string) {
  if (entity === 'staff') await trx('staff').where({ staff_id: key }).delete()
  if (entity === 'inventory') await trx('inventory').where({ serial: key }).delete()
  if (entity === 'token') await trx('tokens').where({ uid: key }).whereNull('request_id').delete()
}

async function putCustomer(trx: Knex.Transaction, v: Value, ctx: PatchContext) {
  await trx('customers')
    .insert({
      cif: v['cif'],
      name_kanji: v['nameKanji'],
      name_kana: v['nameKana'],
      name_kana_key: kanaKey(String(v['nameKana'])),
      birth_date: v['birthDate'],
      phone: v['phone'],
      phone_digits: String(v['phone']).replace(/\D/g, ''),
      home_branch: v['homeBranch'],
      otp_status: v['otpStatus'],
      status_changed_at: v['statusChangedAt'],
      updated_at: ctx.now,
    })
    .onConflict('cif')
    .merge()
  for (const a of (v['accounts'] as { branchCode: string; subject: string; number: string }[]) ?? []) {
    await trx('accounts')
      .insert({ cif: v['cif'], branch_code: a.branchCode, subject: a.subject, number: a.number })
      .onConflict(['branch_code', 'subject', 'number'])
      .ignore()
  }
}

async function putToken(trx: Knex.Transaction, v: Value) {
  await trx('tokens')
    .insert({
      uid: v['uid'],
      cif: v['cif'],
      kind: v['kind'],
      serial: v['serial'] ?? null,
      state: v['state'],
      issued_at: v['issuedAt'] ?? null,
      activated_at: v['activatedAt'] ?? null,
      revoked_at: v['revokedAt'] ?? null,
    })
    .onConflict('uid')
    .merge()
}

/** Central's decisions on revocations carry central's time and leave an audit row at the branch. */
async function putRequest(trx: Knex.Transaction, v: Value, ctx: PatchContext) {
  const local = await trx('requests').where({ id: v['id'] }).first()
  const detail = (v['detail'] ?? {}) as Value
  const paper = (detail['paperForm'] ?? null) as { formNo: string; receivedOn: string } | null
  const identity = (detail['identity'] ?? null) as { kind: string; last4: string } | null
  const decided =
    local?.kind === 'revocation' &&
    local.state === 'awaiting_central' &&
    (v['state'] === 'completed' || v['state'] === 'rejected')
  const row = {
    id: v['id'],
    kind: v['kind'],
    cif: v['cif'],
    state: v['state'],
    maker: v['maker'] ?? 'central',
    checker: v['checker'] ?? null,
    prev_status: v['prevStatus'] ?? null,
    token_uid: v['tokenUid'] ?? null,
    channel: detail['channel'] ?? null,
    reason: detail['reason'] ?? null,
    note: detail['note'] ?? null,
    form_no: paper?.formNo ?? local?.form_no ?? null,
    received_on: paper?.receivedOn ?? local?.received_on ?? null,
    due_on: local?.due_on ?? (paper ? addDaysIso(paper.receivedOn, 14) : null),
    identity_kind: identity?.kind ?? local?.identity_kind ?? null,
    identity_last4: identity?.last4 ?? local?.identity_last4 ?? null,
    decided_at: v['decidedAt'] ?? local?.decided_at ?? null,
    decided_by: decided ? 'central' : (local?.decided_by ?? null),
    decision_reason: v['decisionReason'] ?? null,
    detail_json: JSON.stringify(detail),
    updated_at: ctx.now,
  }
  if (local) await trx('requests').where({ id: v['id'] }).update(row)
  else await trx('requests').insert({ ...row, created_at: v['createdAt'] ?? ctx.now })
  if (decided) {
    const customer = await trx('customers').where({ cif: v['cif'] }).first('otp_status')
    await ctx.audit.append(trx, {
      actor: 'central',
      action: v['state'] === 'completed' ? 'revocation.complete' : 'revocation.central_reject',
      entity: 'customer',
      entityKey: String(v['cif']),
      before: { state: local.state },
      after: {
        state: v['state'],
        requestId: v['id'],
        otpStatus: customer?.otp_status ?? null,
        decidedAt: v['decidedAt'] ?? null,
        ...(v['state'] === 'rejected' ? { reason: v['decisionReason'] ?? null } : {}),
      },
    })
  }
}

function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

async function putStaff(trx: Knex.Transaction, v: Value, ctx: PatchContext) {
  const branch = await trx('branches').first('code')
  const staffId = String(v['staffId'])
  const totp =
    typeof v['totpSecret'] === 'string'
      ? {
          totp_secret_sealed: ctx.secretBox.seal(Buffer.from(v['totpSecret'], 'utf8'), `totp:${staffId}`),
          totp_enrolled_at: v['totpEnrolledAt'] ?? ctx.now,
        }
      : { totp_secret_sealed: null, totp_enrolled_at: null }
  const row = {
    name: v['name'],
    role: v['role'],
    password_hash: v['passwordHash'],
    must_change_password: Boolean(v['mustChangePassword']),
    ...totp,
    updated_at: ctx.now,
  }
  const existing = await trx('staff').where({ staff_id: staffId }).first('staff_id')
  if (existing) await trx('staff').where({ staff_id: staffId }).update(row)
  else if (branch) await trx('staff').insert({ staff_id: staffId, branch_code: branch.code, ...row })
}

async function putInventory(trx: Knex.Transaction, v: Value, ctx: PatchContext) {
  const branch = await trx('branches').first('code')
  const serial = String(v['serial'])
  const seed =
    typeof v['seed'] === 'string' && v['state'] === 'in_stock' ? Buffer.from(v['seed'], 'base64') : null
  const existing = await trx('inventory').where({ serial }).first()
  const row = {
    serial,
    branch_code: branch.code,
    state: v['state'],
    algorithm: v['algorithm'],
    digits: v['digits'],
    period: v['period'] ?? null,
    received_on: v['receivedOn'] ?? ctx.now.slice(0, 10),
    updated_at: ctx.now,
    // Seeds arrive over TLS for stock only and are sealed at once; a device no longer in stock (issued
    // and synced) has its seed deleted here.
    seed_sealed: seed
      ? ctx.secretBox.seal(seed, `seed:${serial}`)
      : v['state'] === 'in_stock'
        ? (existing?.seed_sealed ?? null)
        : null,
  }
  if (existing) await trx('inventory').where({ serial }).update(row)
  else await trx('inventory').insert({ ...row, counter: v['counter'] ?? 0 })
}
