import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Knex } from 'knex'
import type { SecretBox } from '../../core/security/secretBox'
import type { HqRole } from '../hqActor'

/**
 * HQ console sessions (issue 9): a random ID in an HttpOnly, SameSite=Strict cookie (Secure when central
 * serves TLS); central keeps only its hash, with a CSRF token that every change must echo in a header.
 * A session ends after 15 idle minutes or 8 hours whatever happens, checked here on the server.
 */
export const SESSION_COOKIE = 'td_hq_session'
export const CSRF_HEADER = 'x-csrf-token'
export const IDLE_MS = 15 * 60_000
export const MAX_AGE_MS = 8 * 3600_000

export type SessionStage = 'totp_enrolment' | 'signed_in'

export interface HqSession {
  idHash: string
  staffId: string
  name: string
  role: HqRole
  csrfToken: string
  stage: SessionStage
  pendingTotpSecret: string | null
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const pendingAad = (idHash: string) => `hq-totp-pending:${idHash}`

export async function createSession(
  db: Knex,
  secretBox: SecretBox,
  staffId: string,
  stage: SessionStage,
  pendingTotpSecret: string | null,
  now: Date,
): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url')
  const csrfToken = randomBytes(32).toString('base64url')
  const idHash = sha256(token)
  // Sessions nobody came back to are swept here, so the table holds live sessions only.
  await db('hq_sessions')
    .where('expires_at', '<=', now.toISOString())
    .orWhere('last_seen_at', '<', new Date(now.getTime() - IDLE_MS).toISOString())
    .delete()
  await db('hq_sessions').insert({
    id_hash: idHash,
    staff_id: staffId,
    csrf_token: csrfToken,
    stage,
    pending_totp_sealed: pendingTotpSecret
      ? secretBox.seal(Buffer.from(pendingTotpSecret, 'utf8'), pendingAad(idHash))
      : null,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + MAX_AGE_MS).toISOString(),
  })
  return { token, csrfToken }
}

/** The live session for a cookie value, its idle clock restarted; null when unknown, idle too long, expired or the person disabled. */
export async function findSession(
  db: Knex,
  secretBox: SecretBox,
  token: string | undefined,
  now: Date,
): Promise<HqSession | null> {
  if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null
  const idHash = sha256(token)
  const row = await db('hq_sessions as s')
    .join('hq_staff as h', 'h.staff_id', 's.staff_id')
    .where('s.id_hash', idHash)
    .first('s.*', 'h.name', 'h.role', 'h.active')
  if (!row) return null
  const idle = now.getTime() - Date.parse(row.last_seen_at) > IDLE_MS
  if (idle || row.expires_at <= now.toISOString() || !row.active) {
    await db('hq_sessions').where({ id_hash: idHash }).delete()
    return null
  }
  await db('hq_sessions').where({ id_hash: idHash }).update({ last_seen_at: now.toISOString() })
  return {
    idHash,
    staffId: row.staff_id,
    name: row.name,
    role: row.role,
    csrfToken: row.csrf_token,
    stage: row.stage,
    pendingTotpSecret: row.pending_totp_sealed
      ? secretBox.open(row.pending_totp_sealed, pendingAad(idHash)).toString('utf8')
      : null,
  }
}

export async function finishEnrolment(db: Knex, session: HqSession): Promise<void> {
  await db('hq_sessions')
    .where({ id_hash: session.idHash })
    .update({ stage: 'signed_in', pending_totp_sealed: null })
}

export async function endSession(db: Knex, session: HqSession): Promise<void> {
  await db('hq_sessions').where({ id_hash: session.idHash }).delete()
}

/** Constant-time comparison of the header's CSRF token with the session's. */
export function csrfMatches(session: HqSession, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(session.csrfToken)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

export function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`
}
