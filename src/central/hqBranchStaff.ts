import { requireHqRole } from './hqActor'
import type { HqContext } from './hqContext'

/** Branch staff as HQ manages them (the rows branches pull); no password hashes leave this function. */
export async function listBranchStaff(ctx: HqContext, filter: { branch?: string }) {
  requireHqRole(ctx.actor, ['hq_supervisor', 'hq_admin'])
  const q = ctx.db('staff').orderBy(['branch_code', 'staff_id'])
  if (filter.branch) q.where('branch_code', filter.branch)
  return (await q).map((s) => ({
    staffId: String(s.staff_id),
    branch: String(s.branch_code),
    name: String(s.name),
    role: String(s.role),
    active: s.active === undefined || s.active === null ? true : Boolean(s.active),
    mustChangePassword: Boolean(s.must_change_password ?? false),
  }))
}
