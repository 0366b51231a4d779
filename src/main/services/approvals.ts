import type { Knex } from 'knex'
import { authenticator } from 'otplib'
import type { Role } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { AFTER_GOOD_PASSWORD, afterWrongPassword, isLockedOut } from '../../core/domain/lockout'
import { verifyPassword } from '../../core/security/passwords'
import type { SecretBox } from '../../core/security/secretBox'
import type { AuditLog } from './audit'
import type { SessionTable } from './sessions'

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

const TOTP_STEP_SECONDS = 30

/** A checked approval: who approved, and the TOTP step their code belonged to. */
export interface Approval {
  checker: string
  step: number
}

/**
 * A supervisor approving at the teller's PC (DOMAIN.md: Staff and approvals): staff ID, password and
 * the 6-digit TOTP from the supervisor's own authenticator. Maker ≠ checker is enforced here, in the
 * service, not only on the screen. Wrong passwords and wrong codes count toward the supervisor's
 * lockout; that count is committed even though the approval fails.
 */
export class ApprovalService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly secretBox: SecretBox,
    private readonly sessions: SessionTable,
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
    const counter = { failedLogins: staff.failed_logins, lockedUntil: staff.locked_until }
    if (isLockedOut(counter, now)) throw new DomainError('ACCOUNT_LOCKED', 'the approver’s account is locked')

    const passwordOk = await verifyPassword(input.password, staff.password_hash)
    const step = passwordOk ? this.matchingStep(staff, input.totp) : null
    const replay = step !== null && staff.totp_last_step !== null && step <= staff.totp_last_step
    if (step === null || replay) {
      const next = afterWrongPassword(counter, now)
      await this.db.transaction(async (trx) => {
        await trx('staff').where({ staff_id: staff.staff_id }).update({
          failed_logins: next.failedLogins,
          locked_until: next.lockedUntil,
          updated_at: now.toISOString(),
        })
        await this.audit.append(trx, {
          actor: staff.staff_id,
          action: next.justLocked ? 'auth.account_locked' : 'approval.failed',
          entity: 'staff',
          entityKey: staff.staff_id,
          before: counter,
          after: { failedLogins: next.failedLogins, lockedUntil: next.lockedUntil, for: action, maker },
        })
      })
      if (next.justLocked) {
        this.sessions.deleteStaff(staff.staff_id)
        throw new DomainError('ACCOUNT_LOCKED', 'the approver’s account is now locked')
      }
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
    await trx('staff')
      .where({ staff_id: approval.checker })
      .update({ ...toColumns(AFTER_GOOD_PASSWORD), totp_last_step: approval.step })
  }

  private matchingStep(staff: StaffRow, code: string): number | null {
    const secret = this.secretBox.open(staff.totp_secret_sealed!, `totp:${staff.staff_id}`).toString('utf8')
    const checker = authenticator.clone({ window: 1, epoch: this.clock.now().getTime() })
    const delta = checker.checkDelta(code, secret)
    if (delta === null) return null
    return Math.floor(this.clock.now().getTime() / 1000 / TOTP_STEP_SECONDS) + delta
  }
}

function toColumns(counter: { failedLogins: number; lockedUntil: string | null }) {
  return { failed_logins: counter.failedLogins, locked_until: counter.lockedUntil }
}
