import {
  channels,
  isChannelName,
  issuesToFields,
  type Access,
  type ChannelName,
  type ChannelOutput,
  type Channels,
} from '../../shared/contract'
import type { z } from 'zod'
import { DomainError, err, ok, type Result } from '../../shared/result'
import type { Role } from '../../shared/domain'
import type { Services, TokenDeskApp } from '../app'
import type { Session } from '../services/sessions'
import { listAudit } from '../services/audit'
import { issue12bHandlers } from './reportHandlers'
import { backupHandlers } from './backupHandlers'
import { PerAccountQueue } from './perAccountQueue'
import { keyLostAnswer, keyRecoveryRefusals } from './keyRecoveryHandlers'

export interface Call<C extends ChannelName> {
  clientKey: string
  session: Session | undefined
  input: z.output<Channels[C]['input']>
}

export type Implementation = {
  [C in ChannelName]: (s: Services, call: Call<C>) => Promise<ChannelOutput<C>>
}

/** What each channel does; the checks around it are the same for all (see `createHandlers`). */
const implementation: Implementation = {
  'app.status': async (s) => {
    const branch = await s.db('branches').first()
    const setup = await s.sync.setupProgress()
    return {
      state: 'ready',
      branchCode: branch?.code ?? null,
      branchName: branch?.name ?? null,
      needsSetup: !branch || setup.phase === 'loading' || setup.phase === 'failed',
    }
  },
  'setup.enroll': (s, { input }) => s.sync.setup(input),
  'setup.progress': (s) => s.sync.setupProgress(),
  'auth.session': async (s, { session }) => (session ? s.auth.describe(session) : null),
  'auth.login': (s, { clientKey, input }) => s.auth.login(clientKey, input.staffId, input.password),
  'auth.logout': async (s, { clientKey, session }) => {
    await s.auth.logout(clientKey, session!)
    return {}
  },
  'auth.lock': (s, { session }) => s.auth.lock(session!),
  'auth.unlock': (s, { clientKey, session, input }) => s.auth.unlock(clientKey, session!, input.password),
  'auth.heartbeat': async () => ({}),
  'auth.changePassword': async (s, { clientKey, session, input }) => {
    await s.auth.changePassword(clientKey, session!, input.currentPassword, input.newPassword)
    return {}
  },
  'auth.totpEnrolStart': (s, { session }) => s.auth.startTotpEnrolment(session!),
  'auth.totpEnrolConfirm': (s, { session, input }) =>
    s.auth.confirmTotpEnrolment(session!, input.code, input.currentPassword),
  'customers.getByCif': (s, { input }) => s.customers.getByCif(input.cif),
  'customers.search': (s, { input }) => s.customers.search(input.query, input.page, input.after),
  'customers.file': (s, { input }) => s.customers.file(input.cif),
  'stock.list': (s, { session, input }) => s.stock.list(session!, input),
  'stock.writeOff': (s, { session, input }) => s.stock.writeOff(session!, input),
  'issuance.check': (s, { input }) => s.issuance.check(input.cif),
  'issuance.verifyDevice': (s, { session, input }) => s.issuance.verifyDevice(session!, input),
  'issuance.issue': (s, { session, input }) => s.issuance.issue(session!, input),
  'ledger.day': (s, { session, input }) => s.ledger.day(session!, input),
  'ledger.receipt': (s, { session, input }) => s.ledger.receipt(session!, input.receiptNo),
  'ledger.void': (s, { session, input }) => s.ledger.void(session!, input),
  'ledger.closeDay': (s, { session, input }) => s.ledger.closeDay(session!, input),
  'audit.list': (s, { input }) => listAudit(s.db, input),
  'revocations.request': (s, { session, input }) => s.revocations.request(session!, input),
  'revocations.suspend': (s, { session, input }) => s.revocations.suspend(session!, input),
  'revocations.approve': (s, { session, input }) => s.revocations.approve(session!, input),
  'revocations.reject': (s, { session, input }) => s.revocations.reject(session!, input),
  'revocations.withdraw': (s, { session, input }) => s.revocations.withdraw(session!, input),
  'revocations.get': (s, { input }) => s.revocations.get(input.requestId),
  'revocations.list': (s, { input }) => s.revocations.list(input),
  'approvals.inbox': (s) => s.revocations.inbox(),
  'sync.status': (s) => s.sync.status(),
  'sync.now': (s) => s.sync.syncNow(),
  'sync.enroll': (s, { session, input }) => s.sync.enroll(session!, input),
  'sync.queue': (s) => s.sync.queue(),
  'sync.resolveProblem': (s, { session, input }) => s.sync.resolveProblem(session!, input),
  'sync.exportOutbox': (s, { session }) => s.sync.exportOutbox(session!),
  'settings.get': (s) => s.settings.get(),
  'settings.update': (s, { session, input }) => s.settings.update(session!, input),
  ...issue12bHandlers,
  ...backupHandlers,
  ...keyRecoveryRefusals,
}

export type Invoke = (clientKey: string, channel: unknown, input: unknown) => Promise<Result<unknown>>

/** Logs a failure without its input: inputs hold passwords and codes. */
export type FailureLogger = (channel: string, error: unknown) => void

/**
 * What may be logged of an unexpected error: its kind, code and where it happened, not its message
 * (database errors quote the statement with its values, which can include hashes or sealed seeds).
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  const code = (error as { code?: unknown }).code
  const where =
    error.stack
      ?.split('\n')
      .slice(1, 4)
      .map((l) => l.trim())
      .join(' < ') ?? ''
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''} at ${where}`
}

/** The logger both shells use: one line per failure, via describeFailure. */
export const logToStderr: FailureLogger = (channel, error) =>
  console.error(`[token-desk] ${channel} failed: ${describeFailure(error)}`)

/** The channels that check a password, and whose password each checks. */
const PASSWORD_CHECKS: Partial<Record<ChannelName, (call: Call<ChannelName>) => string | undefined>> = {
  'auth.login': (call) => (call.input as { staffId: string }).staffId,
  'auth.unlock': (call) => call.session?.staffId,
  'auth.changePassword': (call) => call.session?.staffId,
  'auth.totpEnrolConfirm': (call) => call.session?.staffId,
}

/** What a session may call while HQ's one-time password waits to be changed. */
const PASSWORD_CHANGE_CHANNELS = new Set<ChannelName>([
  'auth.session',
  'auth.changePassword',
  'auth.logout',
  'auth.lock',
  'auth.unlock',
  'auth.heartbeat',
  'sync.status',
])

function allows(access: Access, role: Role): boolean {
  return access === 'any' || (access !== 'public' && access.includes(role))
}

/**
 * The one handler table, bound to ipcMain in Electron and to the HTTP bridge in browser mode. Every call:
 * known channel → database usable → session and role → idle lock → input schema → service → output schema.
 */
export function createHandlers(app: TokenDeskApp, logFailure: FailureLogger = () => {}): Invoke {
  const passwordChecks = new PerAccountQueue()
  return async (clientKey, channel, rawInput) => {
    // Never String() a caller's value: an object with a poisoned toString would throw here.
    if (!isChannelName(channel))
      return err(
        'UNKNOWN_CHANNEL',
        typeof channel === 'string' ? `unknown channel ${channel.slice(0, 60)}` : 'unknown channel',
      )
    const spec = channels[channel]
    if (app.state === 'corrupt') {
      if (channel === 'app.status')
        return ok({
          state: 'corrupt',
          message: app.message,
          branchCode: null,
          branchName: null,
          needsSetup: false,
        })
      return err('DB_CORRUPT', app.message)
    }
    if (app.state === 'keyLost') return keyLostAnswer(app.recovery, channel, app.message, logFailure)
    const s = app.services
    try {
      const session = s.sessions.get(clientKey)
      if (session && !(await s.auth.refresh(clientKey, session)))
        return err('UNAUTHENTICATED', 'this staff account is no longer available at this branch')
      if (session) await s.auth.lockIfIdle(session)
      if (spec.access !== 'public') {
        if (!session) return err('UNAUTHENTICATED', 'please log in')
        if (session.mustChangePassword && !PASSWORD_CHANGE_CHANNELS.has(channel))
          return err('PASSWORD_CHANGE_REQUIRED', 'set a new password first')
        if (!allows(spec.access, session.role))
          return err('FORBIDDEN', `the ${session.role} role may not call ${channel}`)
        if (!spec.whenLocked) {
          if (session.locked) return err('SESSION_LOCKED', 'the screen is locked')
          s.auth.markActive(session)
        }
      }
      const parsed = spec.input.safeParse(rawInput ?? {})
      if (!parsed.success) return err('VALIDATION', 'the input is not valid', issuesToFields(parsed.error))
      const run = implementation[channel] as (s: Services, call: Call<ChannelName>) => Promise<unknown>
      const call = { clientKey, session, input: parsed.data }
      // Password checks queue per account: a flood against one account cannot slow the others.
      const account = PASSWORD_CHECKS[channel]?.(call)
      const value = await (account ? passwordChecks.run(account, () => run(s, call)) : run(s, call))
      return ok(spec.output.parse(value))
    } catch (e) {
      if (e instanceof DomainError) return e.toResult()
      logFailure(channel, e)
      return err('INTERNAL', 'an unexpected error occurred; the operation was not completed')
    }
  }
}
