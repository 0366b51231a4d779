import { channels, type Access, type ChannelName } from '../../src/shared/contract'
import { ROLES, type Role } from '../../src/shared/domain'

/** Who calls: nobody logged in, or a session of each role. */
export type Caller = 'none' | Role
export const CALLERS: readonly Caller[] = ['none', ...ROLES]

/** What the handler table must do for a caller, straight from the contract's access rule. */
export function expectedAccess(access: Access, caller: Caller): 'allowed' | 'UNAUTHENTICATED' | 'FORBIDDEN' {
  if (access === 'public') return 'allowed'
  if (caller === 'none') return 'UNAUTHENTICATED'
  if (access === 'any') return 'allowed'
  return access.includes(caller) ? 'allowed' : 'FORBIDDEN'
}

const ROLE_LABEL: Record<Caller, string> = {
  none: 'no session',
  teller: 'teller 担当者',
  supervisor: 'supervisor 役席',
  admin: 'admin 管理者',
}

/** The channel × caller table as Markdown, generated for docs/security.md (a test keeps it current). */
export function channelMatrixMarkdown(): string {
  const names = Object.keys(channels).sort() as ChannelName[]
  const mark = { allowed: '✓', UNAUTHENTICATED: '401', FORBIDDEN: '403' } as const
  const lines = [
    `| channel | ${CALLERS.map((c) => ROLE_LABEL[c]).join(' | ')} |`,
    `| --- | ${CALLERS.map(() => ':-:').join(' | ')} |`,
  ]
  for (const name of names)
    lines.push(
      `| \`${name}\` | ${CALLERS.map((c) => mark[expectedAccess(channels[name].access, c)]).join(' | ')} |`,
    )
  return lines.join('\n')
}

export const MATRIX_BEGIN = '<!-- channel-matrix:begin (generated from src/shared/contract.ts) -->'
export const MATRIX_END = '<!-- channel-matrix:end -->'
