/**
 * A refusal of an HQ service function: a stable code the console translates (never shown raw), an English
 * message for the CLI and logs, and for bad input the fields or lines concerned. Thrown inside the
 * function's transaction, so nothing it started is kept.
 */
export class HqError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}
