import { z } from 'zod'

/**
 * A PC whose data key is lost (see DataKeyLostError): what the screen shows before the PC is enrolled
 * again, what writing its unsent work to a file answers, and what the re-enrolment answers.
 */
export const KEY_LOSSES = ['unreadable', 'mismatch'] as const

export const keyRecoveryStatus = z.object({
  reason: z.enum(KEY_LOSSES),
  /** Work waiting for central: lost to this PC, so written to a file for HQ first. */
  unsent: z.number().int(),
  /** Of those, password changes and authenticator enrolments: their secrets cannot go in the file. */
  credentialChanges: z.number().int(),
  branchCode: z.string().nullable(),
  branchName: z.string().nullable(),
  workstationNo: z.string().nullable(),
  workstationName: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  /** The file the unsent work was written to on this screen, if it was. */
  exportFile: z.string().nullable(),
  /** Where the export goes and where the old database and key are kept. */
  exportFolder: z.string(),
  retiredFolder: z.string(),
})
export type KeyRecoveryStatus = z.infer<typeof keyRecoveryStatus>

export const keyRecoveryExport = z.object({ path: z.string(), rows: z.number().int() })
export const keyRecoveryReenrol = z.object({ retiredFolder: z.string() })
