import { z } from 'zod'
import { RECEIPT_NUMBER_PATTERN } from '../domain/receiptNumbers'

/**
 * Argument schemas of the mutations (SYNC-PROTOCOL.md: Mutations). Central parses every mutation with
 * these before applying it: a malformed one is that mutation's VALIDATION rejection, never the push's.
 */
export const staffId = z.string().regex(/^[A-Z][0-9]{3,5}$/)
export const cif = z.string().regex(/^[0-9]{7}$/)
export const requestId = z.string().uuid()
export const serial = z
  .string()
  .min(4)
  .max(32)
  .regex(/^[A-Za-z0-9-]+$/)
export const receiptNo = z.string().regex(RECEIPT_NUMBER_PATTERN)
export const businessDate = z.iso.date()
export const instant = z.iso.datetime({ offset: true })
const reasonText = z.string().trim().min(1).max(200)
const yen = z.number().int().min(0).max(10_000_000)
const account = z.string().regex(/^\d{3}-(futsu|toza|chochiku)-\d{7}$/)

export const identityArgs = z
  .object({
    kind: z.enum([
      'drivers_license',
      'my_number_card',
      'passport',
      'residence_card',
      'health_insurance',
      'other',
    ]),
    last4: z.string().regex(/^[0-9A-Za-z]{4}$/),
  })
  .strict()

export const issueHardArgs = z
  .object({
    requestId,
    cif,
    serial,
    fee: z
      .object({
        receiptNo,
        businessDate,
        method: z.enum(['cash', 'account_debit', 'waiver']),
        amountYen: yen,
        tenderedYen: yen.nullable().optional(),
        account: account.nullable().optional(),
        waivedBy: staffId.optional(),
        waiverReason: reasonText.optional(),
      })
      .strict(),
    identity: identityArgs,
    verifiedAt: instant,
  })
  .strict()

export const suspendArgs = z
  .object({
    requestId,
    cif,
    tokenUid: z.string().min(1).max(64).nullable(),
    reason: z.enum(['lost', 'stolen']),
    note: z.string().trim().max(200).optional(),
  })
  .strict()

export const revocationRequestArgs = z
  .object({
    requestId,
    cif,
    tokenUid: z.string().min(1).max(64).nullable(),
    channel: z.enum(['in_person', 'paper']),
    reason: z.enum(['change_device', 'lost', 'stolen', 'broken', 'unneeded', 'other']),
    note: z.string().trim().max(200).optional(),
    paperForm: z
      .object({
        formNo: z.string().trim().min(1).max(32),
        receivedOn: businessDate,
        sealChecked: z.literal(true),
      })
      .strict()
      .optional(),
    identity: identityArgs.nullable(),
  })
  .strict()

export const revocationApproveArgs = z.object({ requestId, checker: staffId }).strict()
export const revocationRejectArgs = z.object({ requestId, checker: staffId, reason: reasonText }).strict()
export const revocationWithdrawArgs = z
  .object({ requestId, reason: reasonText, checker: staffId.optional() })
  .strict()
export const feeVoidArgs = z.object({ receiptNo, reason: reasonText, checker: staffId }).strict()
export const closeDayArgs = z
  .object({
    staffId,
    businessDate,
    expectedYen: z.number().int().min(-10_000_000).max(10_000_000),
    countedYen: yen,
    note: z.string().trim().max(200).optional(),
    checker: staffId,
  })
  .strict()
export const writeOffArgs = z.object({ serial, reason: reasonText, checker: staffId }).strict()
export const changePasswordArgs = z
  .object({
    staffId,
    passwordHash: z
      .string()
      .max(200)
      .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/),
    /** The password being replaced: central checks it, so no PC can set someone's password alone. */
    currentPassword: z.string().min(1).max(128),
    changedAt: instant,
  })
  .strict()
export const enrolTotpArgs = z
  .object({
    staffId,
    totpSecret: z.string().regex(/^[A-Z2-7]{16,64}$/),
    /** The supervisor's password: central checks it, so no PC can enrol an authenticator for them alone. */
    currentPassword: z.string().min(1).max(128),
    enrolledAt: instant,
  })
  .strict()
