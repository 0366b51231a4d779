/**
 * Separation of duties (DOMAIN.md: Staff and approvals; issue 10): the one table of who may approve what.
 * The mutators in src/core/mutators enforce it at the branch and again at central; docs/domain.md's
 * table is checked against it by a test.
 *
 * - `approver`: the role the checker must hold.
 * - `notBy`: the parties the checker must differ from: `actor` (who asks at the PC), `maker` (who recorded
 *   the request), `feeTaker` (who took the fee a void cancels), `dayOwner` (whose day is closed).
 * - `when`: approval is needed always, or only in the cases named.
 */
export type Party = 'actor' | 'maker' | 'feeTaker' | 'dayOwner'

export interface Duty {
  label: string
  approver: 'supervisor'
  notBy: readonly Party[]
  when: 'always' | readonly ('approved' | 'othersRequest' | 'lostOrStolen')[]
}

export const DUTIES = {
  'revocation.approve': { label: '利用解除の承認', approver: 'supervisor', notBy: ['maker'], when: 'always' },
  'revocation.reject': { label: '利用解除の却下', approver: 'supervisor', notBy: ['maker'], when: 'always' },
  'revocation.withdraw': {
    label: '利用解除の取下げ',
    approver: 'supervisor',
    notBy: ['actor'],
    when: ['approved', 'othersRequest', 'lostOrStolen'],
  },
  'fee.waive': { label: '手数料の免除', approver: 'supervisor', notBy: ['actor'], when: 'always' },
  'fee.void': { label: '手数料の取消', approver: 'supervisor', notBy: ['actor', 'feeTaker'], when: 'always' },
  'ledger.close_day': { label: '締め', approver: 'supervisor', notBy: ['actor', 'dayOwner'], when: 'always' },
  'inventory.write_off': {
    label: '在庫の不良処理',
    approver: 'supervisor',
    notBy: ['actor'],
    when: 'always',
  },
} as const satisfies Record<string, Duty>

export type DutyName = keyof typeof DUTIES

/** Lost and stolen requests protect the customer: only a supervisor may take one back. */
const PROTECTED_REASONS = ['lost', 'stolen']

/** Does withdrawing this request need a supervisor's approval? */
export function withdrawalNeedsChecker(input: {
  state: string
  maker: string
  actor: string
  reason: string | null
}): boolean {
  const cases = DUTIES['revocation.withdraw'].when
  return (
    (cases.includes('approved') && input.state === 'awaiting_central') ||
    (cases.includes('othersRequest') && input.maker !== input.actor) ||
    (cases.includes('lostOrStolen') && PROTECTED_REASONS.includes(input.reason ?? ''))
  )
}

/** The parties a checker must not be, resolved for one case; `null` when the checker is acceptable. */
export function dutyConflict(
  duty: DutyName,
  checker: string,
  parties: Partial<Record<Party, string | null | undefined>>,
): Party | null {
  for (const party of DUTIES[duty].notBy as readonly Party[]) {
    if (parties[party] && parties[party] === checker) return party
  }
  return null
}
