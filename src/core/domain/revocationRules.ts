import { addDays } from './businessDate'

/**
 * A revocation request's life at the branch (DOMAIN.md: Revocations): recorded by a teller, approved
 * or rejected by another supervisor, completed or rejected by central about two weeks later; it may
 * be withdrawn until central completes it (with approval once a supervisor has approved it).
 */
export const REVOCATION_STATES = [
  'awaiting_branch',
  'awaiting_central',
  'completed',
  'rejected',
  'withdrawn',
] as const
export type RevocationState = (typeof REVOCATION_STATES)[number]

export const REVOCATION_MOVES = {
  approve: { from: ['awaiting_branch'], to: 'awaiting_central' },
  reject: { from: ['awaiting_branch'], to: 'rejected' },
  withdraw: { from: ['awaiting_branch', 'awaiting_central'], to: 'withdrawn' },
  complete: { from: ['awaiting_central'], to: 'completed' },
  centralReject: { from: ['awaiting_central'], to: 'rejected' },
} as const satisfies Record<string, { from: readonly RevocationState[]; to: RevocationState }>

export type RevocationMove = keyof typeof REVOCATION_MOVES

export function canMoveRevocation(move: RevocationMove, from: RevocationState): boolean {
  return (REVOCATION_MOVES[move].from as readonly RevocationState[]).includes(from)
}

/** Withdrawing a request a supervisor has already approved needs a supervisor's approval again. */
export function withdrawalNeedsApproval(state: RevocationState): boolean {
  return state === 'awaiting_central'
}

export const OPEN_REVOCATION_STATES: readonly RevocationState[] = ['awaiting_branch', 'awaiting_central']

/** 書面: completion is due 14 days after the form was received. */
export const PAPER_DUE_DAYS = 14

export function paperDueOn(receivedOn: string): string {
  return addDays(receivedOn, PAPER_DUE_DAYS)
}

/** Overdue: still open after its due date (a Japan calendar date). */
export function isOverdue(state: RevocationState, dueOn: string | null, today: string): boolean {
  return dueOn !== null && OPEN_REVOCATION_STATES.includes(state) && today > dueOn
}
