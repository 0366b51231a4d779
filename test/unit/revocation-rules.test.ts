import { describe, expect, it } from 'vitest'
import {
  canMoveRevocation,
  isOverdue,
  paperDueOn,
  REVOCATION_MOVES,
  REVOCATION_STATES,
  withdrawalNeedsApproval,
  type RevocationMove,
  type RevocationState,
} from '../../src/core/domain/revocationRules'

describe('revocation state moves', () => {
  const allowed: Record<RevocationMove, RevocationState[]> = {
    approve: ['awaiting_branch'],
    reject: ['awaiting_branch'],
    withdraw: ['awaiting_branch', 'awaiting_central'],
    complete: ['awaiting_central'],
    centralReject: ['awaiting_central'],
  }
  for (const move of Object.keys(REVOCATION_MOVES) as RevocationMove[]) {
    for (const from of REVOCATION_STATES) {
      const expected = allowed[move].includes(from)
      it(`${expected ? 'allows' : 'refuses'} ${move} from ${from}`, () => {
        expect(canMoveRevocation(move, from)).toBe(expected)
      })
    }
  }

  it('ends in the states DOMAIN.md describes', () => {
    expect(REVOCATION_MOVES.approve.to).toBe('awaiting_central')
    expect(REVOCATION_MOVES.complete.to).toBe('completed')
    expect(REVOCATION_MOVES.centralReject.to).toBe('rejected')
    expect(REVOCATION_MOVES.withdraw.to).toBe('withdrawn')
  })

  it('asks for approval to withdraw only once a supervisor approved', () => {
    expect(withdrawalNeedsApproval('awaiting_branch')).toBe(false)
    expect(withdrawalNeedsApproval('awaiting_central')).toBe(true)
  })
})

describe('paper due dates (received + 14 days)', () => {
  it.each([
    ['2026-11-20', '2026-12-04'],
    ['2026-11-30', '2026-12-14'],
    ['2026-12-20', '2027-01-03'],
    ['2026-12-31', '2027-01-14'],
    ['2027-02-20', '2027-03-06'],
    ['2028-02-20', '2028-03-05'],
  ])('%s → %s', (received, due) => {
    expect(paperDueOn(received)).toBe(due)
  })

  it('is overdue only while open and after the due date', () => {
    expect(isOverdue('awaiting_central', '2026-12-04', '2026-12-04')).toBe(false)
    expect(isOverdue('awaiting_central', '2026-12-04', '2026-12-05')).toBe(true)
    expect(isOverdue('awaiting_branch', '2026-12-04', '2027-01-01')).toBe(true)
    expect(isOverdue('completed', '2026-12-04', '2026-12-05')).toBe(false)
    expect(isOverdue('withdrawn', '2026-12-04', '2026-12-05')).toBe(false)
    expect(isOverdue('awaiting_central', null, '2026-12-05')).toBe(false)
  })
})
