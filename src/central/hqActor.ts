/** Who asks an HQ service function: the command line (run by whoever holds central's database and key), or a signed-in HQ person. */
export const HQ_ROLES = ['hq_operator', 'hq_supervisor', 'hq_admin'] as const
export type HqRole = (typeof HQ_ROLES)[number]

export type HqActor = { kind: 'cli' } | { kind: 'hq'; staffId: string; role: HqRole }

export const CLI_ACTOR: HqActor = { kind: 'cli' }

export class HqForbidden extends Error {
  readonly code = 'FORBIDDEN'
}

/**
 * Every HQ service function checks its caller itself, so the console and the CLI cannot differ. The CLI
 * passes: it runs where central's database file and key are, which is already everything.
 */
export function requireHqRole(actor: HqActor, roles: readonly HqRole[]): void {
  if (actor.kind === 'cli') return
  if (!roles.includes(actor.role)) throw new HqForbidden(`${actor.role} may not do this`)
}

/** The name an audit row and a decision carry. */
export function actorName(actor: HqActor): string {
  return actor.kind === 'cli' ? 'cli' : actor.staffId
}
