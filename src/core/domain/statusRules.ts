import type { OtpStatus } from '../../shared/domain'

/**
 * The customer OTP status machine (DOMAIN.md: Customer OTP status). Each move names the statuses it
 * may start from; anything else is refused and changes nothing.
 */
export const MOVES = {
  /** hard-token issuance at the counter */
  issueHard: { from: ['not_applied', 'declined', 'revoked'], to: 'token_issued' },
  /** 利用開始, reported by central */
  activate: { from: ['token_issued'], to: 'in_use' },
  /** 緊急停止 for a lost or stolen token */
  suspend: { from: ['token_issued', 'in_use'], to: 'suspended' },
  /** a revocation request may be recorded from these; the status moves only on approval */
  requestRevocation: { from: ['token_issued', 'in_use', 'suspended'], to: null },
  approveRevocation: { from: ['token_issued', 'in_use', 'suspended'], to: 'revocation_pending' },
  completeRevocation: { from: ['revocation_pending'], to: 'revoked' },
} as const satisfies Record<string, { from: readonly OtpStatus[]; to: OtpStatus | null }>

export type Move = keyof typeof MOVES

/** Statuses in which the customer holds a live token (at most one). */
export const LIVE_TOKEN_STATUSES: readonly OtpStatus[] = [
  'token_issued',
  'in_use',
  'suspended',
  'revocation_pending',
]

export function canMove(move: Move, from: OtpStatus): boolean {
  return (MOVES[move].from as readonly OtpStatus[]).includes(from)
}

/** Why a hard token cannot be issued now, or null when it can. */
export function issuanceRefusal(status: OtpStatus): 'LIVE_TOKEN' | null {
  return canMove('issueHard', status) ? null : 'LIVE_TOKEN'
}

/** Token states that still work: a suspension or revocation is about the customer's one token in these. */
export const LIVE_TOKEN_STATES = ['issued', 'active'] as const
