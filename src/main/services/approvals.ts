import type { Knex } from 'knex'
import type { Role } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { isLockedOut, type LoginCounter } from '../../core/domain/lockout'
import { authenticatorStep } from '../../core/security/authenticatorCode'
import { verifyPassword } from '../../core/security/passwords'
import type { SecretBox } from '../../core/security/secretBox'
import type { AuditLog } from './audit'

export interface ApprovalInput {
  staffId: string
  password: string
  totp: string
}

interface StaffRow {
  staff_id: string
  branch_code: string
  role: Role
  password_hash: string
  failed_logins: number
  locked_until: string | null
  totp_secret_sealed: string | null
  totp_last_step: number | null
}

/** Wrong approval attempts before this PC stops taking the supervisor's approvals, and for how long. */
export const MAX_FAILED_APPROVALS = 5
export const APPROVAL_LOCK_MINUTES = 10

interface ApprovalLockRow {
  staff_id: string
  failed_attempts: number
  locked_until: string | null
}

/** A checked approval: who approved, and the TOTP step their code belonged to. */
export interface Approval {
  checker: string
  step: number
}

/**
 * A supervisor approving at the teller's PC (DOMAIN.md: Staff and approvals): staff ID, password and
 * the 6-digit TOTP from the supervisor's own authenticator. Maker ≠ checker is enforced here, in the
 * service, not only on the screen.
 *
 * Wrong passwords and wrong codes count in this PC's approval lock for that supervisor (table
 * approval_locks), never in their login counter: otherwise one teller typing five wrong codes could lock
 * every supervisor out of logging in and end their sessions. The count is committed even though the
 * approval fails; a good approval resets it. A supervisor whose login is locked cannot approve either.
 */
export class ApprovalService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly secretBox: SecretBox,
  ) {}

  /**
   * Checks an approval before the business transaction opens (a failure's count must commit on its own).
   * Nothing is written on success: the caller consumes the approval inside its transaction.
   */
  async verify(input: ApprovalInput, maker: string, branchCode: string, action: string): Promise<Approval> {
    if (input.staffId === maker)
      throw new DomainError('MAKER_IS_CHECKER', 'the maker cannot approve their own work')
    const staff = await this.db<StaffRow>('staff').where({ staff_id: input.staffId }).first()
    if (!staff || staff.role !== 'supervisor' || staff.branch_code !== branchCode) {
      throw new DomainError('APPROVER_INVALID', 'only a supervisor of this branch can approve')
    }
    if (!staff.totp_secret_sealed) {
      throw new DomainError('APPROVER_INVALID', 'the supervisor has not enrolled an authenticator app')
    }
    const now = this.clock.now()
    if (isLockedOut({ failedLogins: staff.failed_logins, lockedUntil: staff.locked_until }, now))
      throw new DomainError('ACCOUNT_LOCKED', 'the approver’s account is locked')
    const counter = await this.approvalCounter(staff.staff_id)
    if (isLockedOut(counter, now))
      throw new DomainError('APPROVAL_LOCKED', 'approvals by this supervisor are locked at this PC')

    const passwordOk = await verifyPassword(input.password, staff.password_hash)
    const step = passwordOk ? this.matchingStep(staff, input.totp) : null
    const replay = step !== null && staff.totp_last_step !== null && step <= staff.totp_last_step
    if (step === null || replay) {
      const next = afterWrongApproval(counter, now)
      await this.db.transaction(async (trx) => {
        await trx('approval_locks')
          .insert({
            staff_id: staff.staff_id,
            failed_attempts: next.failedLogins,
            locked_until: next.lockedUntil,
            updated_at: now.toISOString(),
          })
          .onConflict('staff_id')
          .merge()
        await this.audit.append(trx, {
          actor: maker,
          action: next.justLocked ? 'approval.locked' : 'approval.failed',
          entity: 'staff',
          entityKey: staff.staff_id,
          before: counter,
          after: { failedApprovals: next.failedLogins, lockedUntil: next.lockedUntil, for: action, maker },
        })
      })
      if (next.justLocked)
        throw new DomainError('APPROVAL_LOCKED', 'approvals by this supervisor are now locked at this PC')
      if (!passwordOk) throw new DomainError('INVALID_CREDENTIALS', 'the approver’s password is wrong')
      throw new DomainError(
        'INVALID_OTP',
        replay ? 'this code was already used' : 'the approver’s code is wrong',
      )
    }
    return { checker: staff.staff_id, step }
  }

  /** Marks the TOTP step used, inside the business transaction, so a refusal rolls it back too. */
  async consume(trx: Knex.Transaction, approval: Approval): Promise<void> {
    const row = await trx<StaffRow>('staff').where({ staff_id: approval.checker }).first()
    if (!row || (row.totp_last_step !== null && approval.step <= row.totp_last_step)) {
      throw new DomainError('INVALID_OTP', 'this code was already used; wait for the next one')
    }
    await trx('staff').where({ staff_id: approval.checker }).update({ totp_last_step: approval.step })
    await trx('approval_locks').where({ staff_id: approval.checker }).delete()
  }

  private async approvalCounter(staffId: string): Promise<LoginCounter> {
    const row = await this.db<ApprovalLockRow>('approval_locks').where({ staff_id: staffId }).first()
    return { failedLogins: row?.failed_attempts ?? 0, lockedUntil: row?.locked_until ?? null }
  }

  private matchingStep(staff: StaffRow, code: string): number | null {
    const secret = this.secretBox.open(staff.totp_secret_sealed!, `totp:${staff.staff_id}`).toString('utf8')
    return authenticatorStep(secret, code, this.clock.now())
  }
}

/**
 * The approval counter after one more wrong attempt: the same shape as the login rule (a lock that ran
 * out starts the count again; the fifth locks and starts a fresh count), with its own limit and timeout.
 */
export function afterWrongApproval(counter: LoginCounter, now: Date): LoginCounter & { justLocked: boolean } {
  const failed = (counter.lockedUntil && !isLockedOut(counter, now) ? 0 : counter.failedLogins) + 1
  if (failed >= MAX_FAILED_APPROVALS) {
    return {
      failedLogins: 0,
      lockedUntil: new Date(now.getTime() + APPROVAL_LOCK_MINUTES * 60_000).toISOString(),
      justLocked: true,
    }
  }
  return { failedLogins: failed, lockedUntil: null, justLocked: false }
}
