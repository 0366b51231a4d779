/** Error codes crossing the IPC boundary. The renderer's i18n has a message for each. */
export const ERROR_CODES = [
  'VALIDATION',
  'UNKNOWN_CHANNEL',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SESSION_LOCKED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'INVALID_OTP',
  'NOT_FOUND',
  'CONFLICT',
  'MAKER_IS_CHECKER',
  'APPROVER_INVALID',
  'NOT_ELIGIBLE',
  'NOT_IN_STOCK',
  'OTP_REPLAY',
  'DEVICE_NOT_VERIFIED',
  'DAY_CLOSED',
  'OFFLINE',
  'CASH_SHORT',
  'ALREADY_VOIDED',
  'REVOCATION_OPEN',
  'CUSTOMER_CHANGED',
  'APPROVAL_REQUIRED',
  /** Too many wrong approval attempts for this supervisor at this PC; their login is not affected. */
  'APPROVAL_LOCKED',
  'DB_CORRUPT',
  /** The PC's data key cannot be used: only the screen that starts the PC anew answers. */
  'KEY_LOST',
  /** The app is closing (quit, Windows shutting down): the call was not run. */
  'CLOSING',
  'PASSWORD_CHANGE_REQUIRED',
  'INSUFFICIENT_FUNDS',
  'ACCOUNT_CLOSED',
  'SETUP_DONE',
  /** A refused password change or authenticator enrolment: it is not sent again; the person does it again. */
  'REDO_BY_PERSON',
  'INTERNAL',
  /** Client side only: the main process or bridge could not be reached. */
  'UNREACHABLE',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]
