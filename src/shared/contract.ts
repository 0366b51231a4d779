import { z } from 'zod'
import { ACCOUNT_SUBJECTS, OTP_STATUSES, ROLES, TOKEN_KINDS, TOKEN_STATES, type Role } from './domain'

/**
 * The one table of IPC channels. Each has a zod schema for its input and its output and says who may
 * call it: 'public' (no session), 'any' (any logged-in staff) or a list of roles. `whenLocked` marks the
 * few channels that still answer while the screen is locked. Outputs are parsed too: zod drops unknown
 * keys, so nothing the contract does not name (hashes, seeds) can reach the renderer.
 */
export type Access = 'public' | 'any' | readonly Role[]

interface ChannelSpec<I extends z.ZodType, O extends z.ZodType> {
  input: I
  output: O
  access: Access
  whenLocked?: boolean
}

function channel<I extends z.ZodType, O extends z.ZodType>(spec: ChannelSpec<I, O>): ChannelSpec<I, O> {
  return spec
}

const COUNTER: readonly Role[] = ['teller', 'supervisor']

export const staffId = z.string().regex(/^[A-Z][0-9]{3,5}$/, 'staff ID is a capital letter and 3 to 5 digits')
export const cif = z.string().regex(/^[0-9]{7}$/, 'CIF number is 7 digits')
const password = z.string().min(1, 'password is required').max(128)
/** Password policy for new passwords: at least 8 characters with a letter and a digit. */
export const newPassword = z
  .string()
  .min(8, 'at least 8 characters')
  .max(128)
  .regex(/[A-Za-z]/, 'needs a letter')
  .regex(/[0-9]/, 'needs a digit')
const totpCode = z.string().regex(/^[0-9]{6}$/, 'the code is 6 digits')
const isoDateTime = z.string()
const noInput = z.object({}).strict()

export const sessionInfo = z.object({
  staffId,
  name: z.string(),
  role: z.enum(ROLES),
  branchCode: z.string(),
  branchName: z.string(),
  idleLockSeconds: z.number().int(),
  totpEnrolled: z.boolean(),
  locked: z.boolean(),
})
export type SessionInfo = z.infer<typeof sessionInfo>

export const account = z.object({
  branchCode: z.string(),
  subject: z.enum(ACCOUNT_SUBJECTS),
  number: z.string(),
})

export const tokenSummary = z.object({
  kind: z.enum(TOKEN_KINDS),
  serial: z.string().nullable(),
  state: z.enum(TOKEN_STATES),
  issuedAt: isoDateTime.nullable(),
  activatedAt: isoDateTime.nullable(),
})

export const customerDetail = z.object({
  cif,
  nameKanji: z.string(),
  nameKana: z.string(),
  birthDate: z.string(),
  phone: z.string(),
  homeBranch: z.string(),
  otpStatus: z.enum(OTP_STATUSES),
  statusChangedAt: isoDateTime,
  token: tokenSummary.nullable(),
  accounts: z.array(account),
})
export type CustomerDetail = z.infer<typeof customerDetail>

export const channels = {
  'app.status': channel({
    input: noInput,
    output: z.object({
      state: z.enum(['ready', 'corrupt']),
      message: z.string().optional(),
      branchCode: z.string().nullable(),
      branchName: z.string().nullable(),
    }),
    access: 'public',
    whenLocked: true,
  }),
  'auth.session': channel({
    input: noInput,
    output: sessionInfo.nullable(),
    access: 'public',
    whenLocked: true,
  }),
  'auth.login': channel({
    input: z.object({ staffId, password }).strict(),
    output: sessionInfo,
    access: 'public',
  }),
  'auth.logout': channel({ input: noInput, output: z.object({}), access: 'any', whenLocked: true }),
  'auth.lock': channel({ input: noInput, output: sessionInfo, access: 'any', whenLocked: true }),
  'auth.unlock': channel({
    input: z.object({ password }).strict(),
    output: sessionInfo,
    access: 'any',
    whenLocked: true,
  }),
  /** The renderer reports keyboard and mouse activity so the service's idle lock sees it too. */
  'auth.heartbeat': channel({ input: noInput, output: z.object({}), access: 'any' }),
  'auth.changePassword': channel({
    input: z.object({ currentPassword: password, newPassword }).strict(),
    output: z.object({}),
    access: 'any',
  }),
  'auth.totpEnrolStart': channel({
    input: noInput,
    output: z.object({ secret: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() }),
    access: ['supervisor'],
  }),
  'auth.totpEnrolConfirm': channel({
    input: z.object({ code: totpCode }).strict(),
    output: sessionInfo,
    access: ['supervisor'],
  }),
  'customers.getByCif': channel({
    input: z.object({ cif }).strict(),
    output: customerDetail,
    access: COUNTER,
  }),
  'settings.get': channel({
    input: noInput,
    output: z.object({ idleLockSeconds: z.number().int() }),
    access: ['admin'],
  }),
  'settings.update': channel({
    input: z.object({ idleLockSeconds: z.number().int().min(60).max(3600) }).strict(),
    output: z.object({ idleLockSeconds: z.number().int() }),
    access: ['admin'],
  }),
} as const

export type Channels = typeof channels
export type ChannelName = keyof Channels
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>
export type ChannelOutput<C extends ChannelName> = z.output<Channels[C]['output']>

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name)
}

/** Turns zod issues into the `fields` map of a VALIDATION error. */
export function issuesToFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_'
    fields[key] ??= issue.message
  }
  return fields
}
