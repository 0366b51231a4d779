/** Domain words shared by both sides (DOMAIN.md). Labels live in the renderer's i18n. */
export const ROLES = ['teller', 'supervisor', 'admin'] as const
export type Role = (typeof ROLES)[number]

export const OTP_STATUSES = [
  'not_applied',
  'declined',
  'token_issued',
  'in_use',
  'suspended',
  'revocation_pending',
  'revoked',
] as const
export type OtpStatus = (typeof OTP_STATUSES)[number]

export const TOKEN_KINDS = ['soft', 'hard'] as const
export type TokenKind = (typeof TOKEN_KINDS)[number]

export const TOKEN_STATES = ['in_stock', 'issued', 'active', 'revoked', 'defective'] as const
export type TokenState = (typeof TOKEN_STATES)[number]

/** 科目: the account subjects a branch counter sees. */
export const ACCOUNT_SUBJECTS = ['futsu', 'toza', 'chochiku'] as const
export type AccountSubject = (typeof ACCOUNT_SUBJECTS)[number]

/** Login rules (DOMAIN.md: Staff and approvals). */
export const MAX_FAILED_LOGINS = 5
export const LOCKOUT_MINUTES = 15
export const DEFAULT_IDLE_LOCK_SECONDS = 5 * 60
