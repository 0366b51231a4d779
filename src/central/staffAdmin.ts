import type { Knex } from 'knex'
import { ROLES, type Role } from '../shared/domain'
import { hashPassword } from '../core/security/passwords'
import { nextVersion } from './db'
import { requireHqRole, type HqActor } from './hqActor'
import { appendHqAudit } from './hqAudit'
import { recordTombstone } from './tombstones'

/**
 * Branch staff managed by HQ (issue 8: staff lifecycle). Every change bumps the global version, so it
 * reaches the branch PCs on their next pull; a member who leaves a branch's view (disabled or moved)
 * leaves a tombstone there, which the pull sends as `del`.
 */
export class StaffAdminError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'VALIDATION' | 'CONFLICT',
    message: string,
  ) {
    super(message)
    this.name = 'StaffAdminError'
  }
}

const ADMINS = ['hq_admin'] as const

async function loadStaff(trx: Knex.Transaction, staffId: string) {
  const staff = await trx('staff').where({ staff_id: staffId }).forUpdate().first()
  if (!staff) throw new StaffAdminError('NOT_FOUND', `no staff ${staffId}`)
  return staff as { staff_id: string; branch_code: string; role: Role; active: boolean | number }
}

function assertPassword(password: string): void {
  if (password.length < 8 || password.length > 128)
    throw new StaffAdminError('VALIDATION', 'the password needs at least 8 characters (at most 128)')
}

export async function addStaff(
  db: Knex,
  actor: HqActor,
  input: { branch: string; staffId: string; name: string; role: Role; password: string },
  now: Date = new Date(),
): Promise<void> {
  requireHqRole(actor, ADMINS)
  if (!/^[A-Z][0-9]{3,5}$/.test(input.staffId))
    throw new StaffAdminError('VALIDATION', 'staff ID is a capital letter and 3 to 5 digits')
  if (!ROLES.includes(input.role))
    throw new StaffAdminError('VALIDATION', 'role is teller, supervisor or admin')
  if (!input.name.trim() || input.name.length > 40)
    throw new StaffAdminError('VALIDATION', 'the name needs 1 to 40 characters')
  assertPassword(input.password)
  const hash = await hashPassword(input.password)
  await db.transaction(async (trx) => {
    if (!(await trx('branches').where({ code: input.branch }).first()))
      throw new StaffAdminError('NOT_FOUND', `no branch ${input.branch}`)
    if (await trx('staff').where({ staff_id: input.staffId }).first())
      throw new StaffAdminError('CONFLICT', `staff ${input.staffId} exists`)
    await trx('staff').insert({
      staff_id: input.staffId,
      branch_code: input.branch,
      name: input.name.trim(),
      role: input.role,
      password_hash: hash,
      active: true,
      must_change_password: true,
      version: await nextVersion(trx),
    })
    await appendHqAudit(trx, actor, now, {
      action: 'staff.add',
      entity: 'staff',
      entityKey: input.staffId,
      after: { branch: input.branch, name: input.name.trim(), role: input.role },
    })
  })
}

/** Disabled: the member's row leaves the branch's view, so they cannot log in there after its next pull. */
export async function disableStaff(
  db: Knex,
  actor: HqActor,
  input: { staffId: string },
  now: Date = new Date(),
): Promise<void> {
  requireHqRole(actor, ADMINS)
  await db.transaction(async (trx) => {
    const staff = await loadStaff(trx, input.staffId)
    if (!staff.active) throw new StaffAdminError('CONFLICT', `${input.staffId} is already disabled`)
    const version = await nextVersion(trx)
    await trx('staff').where({ staff_id: input.staffId }).update({ active: false, version })
    await recordTombstone(trx, {
      entity: 'staff',
      key: input.staffId,
      branchCode: staff.branch_code,
      version,
    })
    await appendHqAudit(trx, actor, now, {
      action: 'staff.disable',
      entity: 'staff',
      entityKey: input.staffId,
      before: { active: true },
      after: { active: false },
    })
  })
}

/** A role change reaches open sessions at the branch on their next call after the pull. */
export async function setStaffRole(
  db: Knex,
  actor: HqActor,
  input: { staffId: string; role: Role },
  now: Date = new Date(),
): Promise<void> {
  requireHqRole(actor, ADMINS)
  if (!ROLES.includes(input.role))
    throw new StaffAdminError('VALIDATION', 'role is teller, supervisor or admin')
  await db.transaction(async (trx) => {
    const staff = await loadStaff(trx, input.staffId)
    if (staff.role === input.role)
      throw new StaffAdminError('CONFLICT', `${input.staffId} is already ${input.role}`)
    await trx('staff')
      .where({ staff_id: input.staffId })
      .update({ role: input.role, version: await nextVersion(trx) })
    await appendHqAudit(trx, actor, now, {
      action: 'staff.role',
      entity: 'staff',
      entityKey: input.staffId,
      before: { role: staff.role },
      after: { role: input.role },
    })
  })
}

/** Moved: gone from the old branch's PCs (tombstone), arriving at the new branch's. */
export async function moveStaff(
  db: Knex,
  actor: HqActor,
  input: { staffId: string; branch: string },
  now: Date = new Date(),
): Promise<void> {
  requireHqRole(actor, ADMINS)
  await db.transaction(async (trx) => {
    const staff = await loadStaff(trx, input.staffId)
    if (!(await trx('branches').where({ code: input.branch }).first()))
      throw new StaffAdminError('NOT_FOUND', `no branch ${input.branch}`)
    if (staff.branch_code === input.branch)
      throw new StaffAdminError('CONFLICT', `${input.staffId} is already at ${input.branch}`)
    const version = await nextVersion(trx)
    await trx('staff').where({ staff_id: input.staffId }).update({ branch_code: input.branch, version })
    await recordTombstone(trx, {
      entity: 'staff',
      key: input.staffId,
      branchCode: staff.branch_code,
      version,
    })
    await appendHqAudit(trx, actor, now, {
      action: 'staff.move',
      entity: 'staff',
      entityKey: input.staffId,
      before: { branch: staff.branch_code },
      after: { branch: input.branch },
    })
  })
}

/** A one-time password from HQ: it must be changed at the next login (at any PC of the branch). */
export async function resetStaffPassword(
  db: Knex,
  actor: HqActor,
  input: { staffId: string; password: string },
  now: Date,
): Promise<void> {
  requireHqRole(actor, ADMINS)
  assertPassword(input.password)
  const hash = await hashPassword(input.password)
  await db.transaction(async (trx) => {
    await loadStaff(trx, input.staffId)
    await trx('staff')
      .where({ staff_id: input.staffId })
      .update({
        password_hash: hash,
        must_change_password: true,
        password_changed_at: now.toISOString(),
        credential_failures: 0,
        version: await nextVersion(trx),
      })
    // Never the password itself: only that HQ reset it.
    await appendHqAudit(trx, actor, now, {
      action: 'staff.reset_password',
      entity: 'staff',
      entityKey: input.staffId,
      after: { mustChangePassword: true },
    })
  })
}
