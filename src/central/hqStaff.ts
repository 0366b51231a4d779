import type { Knex } from 'knex'
import { authenticator } from 'otplib'
import { authenticatorStep } from '../core/security/authenticatorCode'
import { afterWrongPassword, isLockedOut } from '../core/domain/lockout'
import { decoyPasswordHash, hashPassword, verifyPassword } from '../core/security/passwords'
import type { SecretBox } from '../core/security/secretBox'
import { appendHqAudit } from './hqAudit'
import { CLI_ACTOR, HQ_ROLES, requireHqRole, type HqActor, type HqRole } from './hqActor'
import { HqError } from './hqError'

/** HQ staff (本部事務センター) live at central only; they never reach a branch. */
export const HQ_STAFF_ID = /^HQ\d{3}$/
export const HQ_MIN_PASSWORD = 10

/** Demo HQ logins (README.md lists them); all share this authenticator key so the demo can be tried. */
export const DEMO_HQ_TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
export const DEMO_HQ_STAFF: { staffId: string; name: string; role: HqRole; password: string }[] = [
  { staffId: 'HQ001', name: '伊藤 誠', role: 'hq_operator', password: 'demo-HQ001' },
  { staffId: 'HQ002', name: '渡辺 由美', role: 'hq_operator', password: 'demo-HQ002' },
  { staffId: 'HQ101', name: '中村 直樹', role: 'hq_supervisor', password: 'demo-HQ101' },
  { staffId: 'HQ901', name: '小林 真理', role: 'hq_admin', password: 'demo-HQ901' },
]

export interface HqStaffRow {
  staff_id: string
  name: string
  role: HqRole
  password_hash: string
  active: boolean | number
  failed_logins: number
  locked_until: string | null
  totp_secret_sealed: string | null
  totp_enrolled_at: string | null
  totp_last_step: number | string | null
}

const totpAad = (staffId: string) => `hq-totp:${staffId}`

export function checkHqStaffInput(input: { staffId: string; name: string; role: string; password: string }) {
  const fields: Record<string, string> = {}
  if (!HQ_STAFF_ID.test(input.staffId)) fields['staffId'] = 'HQ_STAFF_ID_FORMAT'
  if (!input.name.trim()) fields['name'] = 'REQUIRED'
  if (!(HQ_ROLES as readonly string[]).includes(input.role)) fields['role'] = 'HQ_ROLE'
  if (input.password.length < HQ_MIN_PASSWORD) fields['password'] = 'PASSWORD_TOO_SHORT'
  if (Object.keys(fields).length)
    throw new HqError(
      'VALIDATION',
      `invalid HQ staff: ${Object.entries(fields)
        .map(([f, c]) => `${f} ${c}`)
        .join(', ')} (IDs are HQ and 3 digits; passwords at least ${HQ_MIN_PASSWORD} characters)`,
      { fields },
    )
}

/** Adds an HQ person; only an HQ admin (or the CLI, for the first admin) may. Their authenticator is enrolled at first sign-in. */
export async function addHqStaff(
  db: Knex,
  actor: HqActor,
  input: { staffId: string; name: string; role: HqRole; password: string },
  now: Date,
): Promise<void> {
  requireHqRole(actor, ['hq_admin'])
  checkHqStaffInput(input)
  const hash = await hashPassword(input.password)
  await db.transaction(async (trx) => {
    if (await trx('hq_staff').where({ staff_id: input.staffId }).first())
      throw new HqError('CONFLICT', `HQ staff ${input.staffId} already exists`)
    await trx('hq_staff').insert({
      staff_id: input.staffId,
      name: input.name.trim(),
      role: input.role,
      password_hash: hash,
      active: true,
      failed_logins: 0,
      created_at: now.toISOString(),
    })
    await appendHqAudit(trx, actor, now, {
      action: 'hq_staff.add',
      entity: 'hq_staff',
      entityKey: input.staffId,
      after: { name: input.name.trim(), role: input.role },
    })
  })
}

export async function listHqStaff(db: Knex, actor: HqActor) {
  requireHqRole(actor, ['hq_admin'])
  const rows = await db<HqStaffRow>('hq_staff').orderBy('staff_id')
  return rows.map((r) => ({
    staffId: r.staff_id,
    name: r.name,
    role: r.role,
    active: Boolean(r.active),
    totpEnrolled: r.totp_enrolled_at !== null,
    lockedUntil: r.locked_until,
  }))
}

/** The demo HQ office, with the demo authenticator key already enrolled. Skips people who exist. */
export async function seedDemoHqStaff(db: Knex, secretBox: SecretBox, now: Date): Promise<string[]> {
  const hashes = await Promise.all(DEMO_HQ_STAFF.map((s) => hashPassword(s.password)))
  return db.transaction(async (trx) => {
    const added: string[] = []
    for (const [i, s] of DEMO_HQ_STAFF.entries()) {
      if (await trx('hq_staff').where({ staff_id: s.staffId }).first()) continue
      await trx('hq_staff').insert({
        staff_id: s.staffId,
        name: s.name,
        role: s.role,
        password_hash: hashes[i],
        active: true,
        failed_logins: 0,
        totp_secret_sealed: secretBox.seal(Buffer.from(DEMO_HQ_TOTP, 'utf8'), totpAad(s.staffId)),
        totp_enrolled_at: now.toISOString(),
        created_at: now.toISOString(),
      })
      await appendHqAudit(trx, CLI_ACTOR, now, {
        action: 'hq_staff.add',
        entity: 'hq_staff',
        entityKey: s.staffId,
        after: { name: s.name, role: s.role, demo: true },
      })
      added.push(s.staffId)
    }
    return added
  })
}

export type SignInOutcome =
  { stage: 'signed_in'; staff: HqStaffRow } | { stage: 'totp_enrolment'; staff: HqStaffRow; secret: string }

/**
 * Password, then the authenticator code (DOMAIN.md login rules, applied to HQ too): 5 wrong answers lock
 * the account for 15 minutes; an unknown ID costs the same time as a wrong password. A person without
 * an enrolled authenticator gets a fresh secret to enrol before anything else.
 */
export async function checkHqSignIn(
  db: Knex,
  secretBox: SecretBox,
  input: { staffId: string; password: string; code?: string },
  now: Date,
): Promise<SignInOutcome> {
  const staff = await db<HqStaffRow>('hq_staff').where({ staff_id: input.staffId }).first()
  if (!staff || !staff.active) {
    await verifyPassword(input.password, await decoyPasswordHash())
    throw new HqError('INVALID_CREDENTIALS', 'unknown staff ID or wrong password')
  }
  const counter = { failedLogins: Number(staff.failed_logins), lockedUntil: staff.locked_until }
  if (isLockedOut(counter, now))
    throw new HqError('ACCOUNT_LOCKED', 'locked after repeated failures', { until: staff.locked_until })
  const fail = async (code: 'INVALID_CREDENTIALS' | 'INVALID_OTP') => {
    const next = afterWrongPassword(counter, now)
    await db.transaction(async (trx) => {
      await trx('hq_staff')
        .where({ staff_id: staff.staff_id })
        .update({ failed_logins: next.failedLogins, locked_until: next.lockedUntil })
      if (next.justLocked)
        await appendHqAudit(trx, staff.staff_id, now, {
          action: 'hq_staff.locked',
          entity: 'hq_staff',
          entityKey: staff.staff_id,
          after: { lockedUntil: next.lockedUntil },
        })
    })
    if (next.justLocked)
      throw new HqError('ACCOUNT_LOCKED', 'locked after repeated failures', { until: next.lockedUntil })
    throw new HqError(code, code === 'INVALID_OTP' ? 'the code does not match' : 'wrong password')
  }
  if (!(await verifyPassword(input.password, staff.password_hash))) return fail('INVALID_CREDENTIALS')
  let step: number | null = null
  if (staff.totp_secret_sealed) {
    const secret = secretBox.open(staff.totp_secret_sealed, totpAad(staff.staff_id)).toString('utf8')
    step = authenticatorStep(secret, input.code ?? '', now)
    // A code already used (or an older one) is refused like a wrong one.
    if (step === null || (staff.totp_last_step !== null && step <= Number(staff.totp_last_step)))
      return fail('INVALID_OTP')
  }
  await db('hq_staff')
    .where({ staff_id: staff.staff_id })
    .update({ failed_logins: 0, locked_until: null, ...(step !== null ? { totp_last_step: step } : {}) })
  if (!staff.totp_secret_sealed)
    return { stage: 'totp_enrolment', staff, secret: authenticator.generateSecret(20) }
  return { stage: 'signed_in', staff }
}

/** Stores the authenticator once the person has shown a code from it. */
export async function confirmHqTotp(
  db: Knex,
  secretBox: SecretBox,
  staffId: string,
  secret: string,
  code: string,
  now: Date,
): Promise<void> {
  const step = authenticatorStep(secret, code, now)
  if (step === null) throw new HqError('INVALID_OTP', 'the code does not match')
  await db.transaction(async (trx) => {
    await trx('hq_staff')
      .where({ staff_id: staffId })
      .update({
        totp_secret_sealed: secretBox.seal(Buffer.from(secret, 'utf8'), totpAad(staffId)),
        totp_enrolled_at: now.toISOString(),
        totp_last_step: step,
      })
    await appendHqAudit(trx, staffId, now, {
      action: 'hq_staff.totp_enrol',
      entity: 'hq_staff',
      entityKey: staffId,
      after: { totpEnrolledAt: now.toISOString() },
    })
  })
}

type HqStaffChange = 'disable' | 'enable' | 'unlock' | 'reset_authenticator'

/**
 * An HQ admin's changes to HQ staff: disable (their sessions end at once) or enable again, lift a lockout,
 * or clear the authenticator after a lost phone (they enrol a new one at their next login). An admin does
 * not disable themselves, and the last active admin is never disabled.
 */
export async function changeHqStaff(
  db: Knex,
  actor: HqActor,
  input: { staffId: string; change: HqStaffChange },
  now: Date,
): Promise<void> {
  requireHqRole(actor, ['hq_admin'])
  await db.transaction(async (trx) => {
    const staff = await trx<HqStaffRow>('hq_staff').where({ staff_id: input.staffId }).forUpdate().first()
    if (!staff) throw new HqError('NOT_FOUND', `no HQ staff ${input.staffId}`)
    const active = Boolean(staff.active)
    let update: Partial<HqStaffRow>
    let before: Record<string, unknown>
    let after: Record<string, unknown>
    switch (input.change) {
      case 'disable': {
        if (!active) throw new HqError('CONFLICT', `${input.staffId} is already disabled`)
        if (actor.kind === 'hq' && actor.staffId === input.staffId)
          throw new HqError('OWN_ACCOUNT', 'an admin does not disable their own account')
        if (staff.role === 'hq_admin') {
          const admins = await trx('hq_staff')
            .where({ role: 'hq_admin', active: true })
            .count<{ n: number }[]>({ n: '*' })
          if (Number(admins[0]?.n ?? 0) <= 1)
            throw new HqError('LAST_ADMIN', 'the last active HQ admin stays')
        }
        update = { active: false }
        ;[before, after] = [{ active: true }, { active: false }]
        break
      }
      case 'enable':
        if (active) throw new HqError('CONFLICT', `${input.staffId} is active`)
        update = { active: true, failed_logins: 0, locked_until: null }
        ;[before, after] = [{ active: false }, { active: true }]
        break
      case 'unlock':
        if (!staff.locked_until || staff.locked_until <= now.toISOString())
          throw new HqError('CONFLICT', `${input.staffId} is not locked`)
        update = { failed_logins: 0, locked_until: null }
        ;[before, after] = [{ lockedUntil: staff.locked_until }, { lockedUntil: null }]
        break
      case 'reset_authenticator':
        update = { totp_secret_sealed: null, totp_enrolled_at: null, totp_last_step: null }
        ;[before, after] = [{ totpEnrolledAt: staff.totp_enrolled_at }, { totpEnrolledAt: null }]
        break
    }
    await trx('hq_staff').where({ staff_id: input.staffId }).update(update)
    // A disabled person or a cleared authenticator ends their sessions at once.
    if (input.change === 'disable' || input.change === 'reset_authenticator')
      await trx('hq_sessions').where({ staff_id: input.staffId }).delete()
    await appendHqAudit(trx, actor, now, {
      action: `hq_staff.${input.change}`,
      entity: 'hq_staff',
      entityKey: input.staffId,
      before,
      after,
    })
  })
}
