import type { Role } from '../../shared/domain'

/** Who is at a workstation window. One per client (Electron window or browser tab). */
export interface Session {
  staffId: string
  name: string
  role: Role
  branchCode: string
  lastActivityMs: number
  locked: boolean
  /** A TOTP secret shown to a supervisor but not yet confirmed with a code; memory only. */
  pendingTotpSecret?: string
  /** HQ set a one-time password: only a password change is allowed until it is done. */
  mustChangePassword?: boolean
  /** The hard token whose OTP the teller has just verified for this customer (issuance wizard). */
  deviceProof?: { cif: string; serial: string; verifiedAt: string }
}

export class SessionTable {
  private readonly sessions = new Map<string, Session>()

  get(clientKey: string): Session | undefined {
    return this.sessions.get(clientKey)
  }

  set(clientKey: string, session: Session): void {
    this.sessions.set(clientKey, session)
  }

  delete(clientKey: string): void {
    this.sessions.delete(clientKey)
  }

  /** Ends every session of one staff member (e.g. when the account locks), but the one named to keep. */
  deleteStaff(staffId: string, keepClientKey?: string): void {
    for (const [key, s] of this.sessions)
      if (s.staffId === staffId && key !== keepClientKey) this.sessions.delete(key)
  }
}
