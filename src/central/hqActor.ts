/** Who is asking an HQ service function: the CLI on central's own machine, or an HQ staff member. */
export const HQ_ROLES = ['hq_operator', 'hq_supervisor', 'hq_admin'] as const
export type HqRole = (typeof HQ_ROLES)[number]

export type HqActor = { kind: 'cli' } | { kind: 'hq'; staffId: string; role: HqRole }

/** The CLI runs with the database's own credentials on central's machine: it is trusted like an admin. */
export const CLI_ACTOR: HqActor = { kind: 'cli' }

export class HqForbidden extends Error {
  readonly code = 'FORBIDDEN'
  constructor(message: string) {
    super(message)
    this.name = 'HqForbidden'
  }
}

/** Each HQ function checks its caller itself, so the console and the CLI cannot differ. */
export function requireHqRole(actor: HqActor, roles: readonly HqRole[]): void {
  if (actor.kind === 'cli') return
  if (!roles.includes(actor.role)) throw new HqForbidden(`${actor.role} may not do this`)
}

/** The name written into central's records for this actor. */
export function actorName(actor: HqActor): string {
  return actor.kind === 'cli' ? 'hq-cli' : actor.staffId
}
