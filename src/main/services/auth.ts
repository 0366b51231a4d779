import type { Knex } from 'knex'
import { authenticator } from 'otplib'
import QRCode from 'qrcode'
import type { SessionInfo } from '../../shared/contract'
import type { Role } from '../../shared/domain'
import { DomainError } from '../../shared/result'
import type { Clock } from '../clock'
import { AFTER_GOOD_PASSWORD, afterWrongPassword, isLockedOut } from '../../core/domain/lockout'
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../core/security/passwords'
import { authenticatorStep } from '../../core/security/authenticatorCode'
import type { LocalMutations } from '../sync/localMutations'
import type { AuditLog } from './audit'
import type { Session, SessionTable } from './sessions'
import type { SettingsService } from './settings'

interface StaffRow {
  staff_id: string
  branch_code: string
  name: string
  role: Role
  password_hash: string
  failed_logins: number
  locked_until: string | null
  totp_secret_sealed: string | null
  totp_enrolled_at: string | null
  must_change_password: number | boolean
}

const TOTP_ISSUER = 'Token Desk'

/** Staff login, lockout, idle screen lock, password change and supervisors' TOTP enrolment. */
export class AuthService {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly sessions: SessionTable,
    private readonly settings: SettingsService,
    private readonly mutations: LocalMutations,
  ) {}

  async login(clientKey: string, staffId: string, password: string): Promise<SessionInfo> {
    const staff = await this.db<StaffRow>('staff').where({ staff_id: staffId }).first()
    if (!staff) {
      await verifyPassword(password, await decoyPasswordHash())
      throw new DomainError('INVALID_CREDENTIALS', 'staff ID or password is wrong')
    }
    await this.checkPassword(staff, password, 'auth.login_failed')
    await this.db.transaction(async (trx) => {
      await this.saveCounter(trx, staff.staff_id, AFTER_GOOD_PASSWORD)
      await this.audit.append(trx, {
        actor: staffId,
        action: 'auth.login',
        entity: 'staff',
        entityKey: staffId,
      })
    })
    const session: Session = {
      staffId: staff.staff_id,
      name: staff.name,
      role: staff.role,
      branchCode: staff.branch_code,
      lastActivityMs: this.clock.now().getTime(),
      locked: false,
      mustChangePassword: Boolean(staff.must_change_password),
    }
    this.sessions.set(clientKey, session)
    return this.describe(session)
  }

  async logout(clientKey: string, session: Session): Promise<void> {
    this.sessions.delete(clientKey)
    await this.db.transaction((trx) =>
      this.audit.append(trx, {
        actor: session.staffId,
        action: 'auth.logout',
        entity: 'staff',
        entityKey: session.staffId,
      }),
    )
  }

  /**
   * A session follows what HQ decides (issue 8): a member removed from this branch's staff (disabled or
   * moved, after the pull) loses the session; a role change applies from the next call.
   */
  async refresh(clientKey: string, session: Session): Promise<boolean> {
    const staff = await this.db<StaffRow>('staff').where({ staff_id: session.staffId }).first('role')
    if (!staff) {
      this.sessions.deleteStaff(session.staffId)
      return false
    }
    session.role = staff.role
    return this.sessions.get(clientKey) === session
  }

  /**
   * The service's own idle lock: a session unused for the configured time is locked whatever the
   * renderer does, so a window left open cannot be used without the password.
   */
  async lockIfIdle(session: Session): Promise<void> {
    const idleMs = (await this.settings.idleLockSeconds()) * 1000
    if (this.clock.now().getTime() - session.lastActivityMs >= idleMs) session.locked = true
  }

  markActive(session: Session): void {
    session.lastActivityMs = this.clock.now().getTime()
  }

  lock(session: Session): Promise<SessionInfo> {
    session.locked = true
    return this.describe(session)
  }

  /** Only the same staff member can unlock; wrong passwords count toward the lockout. */
  async unlock(clientKey: string, session: Session, password: string): Promise<SessionInfo> {
    const staff = await this.loadStaff(session.staffId)
    try {
      await this.checkPassword(staff, password, 'auth.unlock_failed')
    } catch (e) {
      if (e instanceof DomainError && e.code === 'ACCOUNT_LOCKED') this.sessions.delete(clientKey)
      throw e
    }
    await this.saveCounter(this.db, staff.staff_id, AFTER_GOOD_PASSWORD)
    session.locked = false
    session.lastActivityMs = this.clock.now().getTime()
    return this.describe(session)
  }

  /**
   * Credentials follow the person (issue 8): the new hash is a mutation, so central keeps it and every PC
   * of the branch gets it. The person's other sessions end (issue 10): whoever had them must log in again.
   */
  async changePassword(
    clientKey: string,
    session: Session,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const staff = await this.loadStaff(session.staffId)
    await this.checkPassword(staff, currentPassword, 'auth.password_change_failed')
    if (currentPassword === newPassword) {
      throw new DomainError('VALIDATION', 'the new password must differ from the current one', {
        newPassword: 'must differ from the current password',
      })
    }
    const hash = await hashPassword(newPassword)
    const changedAt = this.clock.now().toISOString()
    await this.db.transaction(async (trx) => {
      await this.mutations.commit(
        trx,
        'staff.change_password',
        { staffId: staff.staff_id, passwordHash: hash, currentPassword, changedAt },
        staff.staff_id,
        { cif: null },
      )
      await this.saveCounter(trx, staff.staff_id, AFTER_GOOD_PASSWORD)
      await this.audit.append(trx, {
        actor: staff.staff_id,
        action: 'staff.password_change',
        entity: 'staff',
        entityKey: staff.staff_id,
      })
    })
    this.sessions.deleteStaff(staff.staff_id, clientKey)
    session.mustChangePassword = false
  }

  /** Shows a new secret (QR code and base32); it is stored only once a code from it is confirmed. */
  async startTotpEnrolment(
    session: Session,
  ): Promise<{ secret: string; otpauthUrl: string; qrDataUrl: string }> {
    const secret = authenticator.generateSecret(20)
    session.pendingTotpSecret = secret
    const otpauthUrl = authenticator.keyuri(session.staffId, TOTP_ISSUER, secret)
    const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 240 })
    return { secret, otpauthUrl, qrDataUrl }
  }

  /**
   * The supervisor proves the enrolment with their password as well as a code from the new secret:
   * central checks the password again (the actor alone is no proof). A wrong password here counts toward
   * the login lockout like unlocking or changing the password, so this screen is no way round the lockout.
   */
  async confirmTotpEnrolment(session: Session, code: string, currentPassword: string): Promise<SessionInfo> {
    const secret = session.pendingTotpSecret
    if (!secret) throw new DomainError('CONFLICT', 'start the enrolment first')
    const staff = await this.loadStaff(session.staffId)
    await this.checkPassword(staff, currentPassword, 'auth.totp_enrol_failed')
    if (!this.totpMatches(secret, code)) throw new DomainError('INVALID_OTP', 'the code does not match')
    const now = this.clock.now().toISOString()
    await this.db.transaction(async (trx) => {
      const before = await trx<StaffRow>('staff').where({ staff_id: session.staffId }).first()
      // A mutation: the supervisor can approve at every PC of the branch, not only this one.
      await this.mutations.commit(
        trx,
        'staff.enrol_totp',
        { staffId: session.staffId, totpSecret: secret, currentPassword, enrolledAt: now },
        session.staffId,
        { cif: null },
      )
      await this.saveCounter(trx, session.staffId, AFTER_GOOD_PASSWORD)
      await this.audit.append(trx, {
        actor: session.staffId,
        action: 'staff.totp_enrol',
        entity: 'staff',
        entityKey: session.staffId,
        before: { totpEnrolledAt: before?.totp_enrolled_at ?? null },
        after: { totpEnrolledAt: now },
      })
    })
    delete session.pendingTotpSecret
    return this.describe(session)
  }

  async describe(session: Session): Promise<SessionInfo> {
    const staff = await this.loadStaff(session.staffId)
    const branch = await this.db('branches').where({ code: session.branchCode }).first()
    return {
      staffId: session.staffId,
      name: session.name,
      role: session.role,
      branchCode: session.branchCode,
      branchName: branch?.name ?? '',
      idleLockSeconds: await this.settings.idleLockSeconds(),
      totpEnrolled: staff.totp_enrolled_at !== null,
      locked: session.locked,
      mustChangePassword: Boolean(session.mustChangePassword),
    }
  }

  private totpMatches(secret: string, code: string): boolean {
    // ±29 s like every time-based code, counted on the service's clock (not the PC's system time).
    return authenticatorStep(secret, code, this.clock.now()) !== null
  }

  private async loadStaff(staffId: string): Promise<StaffRow> {
    const staff = await this.db<StaffRow>('staff').where({ staff_id: staffId }).first()
    if (!staff) throw new DomainError('UNAUTHENTICATED', 'the staff account no longer exists')
    return staff
  }

  /**
   * Refuses a locked account, and counts a wrong password (committed even though the call fails:
   * the count is what the lockout rule is made of).
   */
  private async checkPassword(staff: StaffRow, password: string, failedAction: string): Promise<void> {
    const now = this.clock.now()
    const counter = { failedLogins: staff.failed_logins, lockedUntil: staff.locked_until }
    if (isLockedOut(counter, now)) {
      await verifyPassword(password, staff.password_hash)
      throw lockedError(counter.lockedUntil!)
    }
    if (await verifyPassword(password, staff.password_hash)) return
    const next = afterWrongPassword(counter, now)
    await this.db.transaction(async (trx) => {
      await this.saveCounter(trx, staff.staff_id, next)
      await this.audit.append(trx, {
        actor: staff.staff_id,
        action: next.justLocked ? 'auth.account_locked' : failedAction,
        entity: 'staff',
        entityKey: staff.staff_id,
        before: counter,
        after: { failedLogins: next.failedLogins, lockedUntil: next.lockedUntil },
      })
    })
    if (next.justLocked) {
      this.sessions.deleteStaff(staff.staff_id)
      throw lockedError(next.lockedUntil!)
    }
    throw new DomainError('INVALID_CREDENTIALS', 'staff ID or password is wrong')
  }

  private async saveCounter(
    db: Knex | Knex.Transaction,
    staffId: string,
    counter: { failedLogins: number; lockedUntil: string | null },
  ): Promise<void> {
    await db('staff').where({ staff_id: staffId }).update({
      failed_logins: counter.failedLogins,
      locked_until: counter.lockedUntil,
      updated_at: this.clock.now().toISOString(),
    })
  }
}

function lockedError(until: string): DomainError {
  return new DomainError('ACCOUNT_LOCKED', `the account is locked until ${until}`)
}
