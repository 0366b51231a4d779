import type { ErrorCode } from './errors'

/** Every IPC answer: a value, or an error with a code the renderer turns into words. */
export interface AppError {
  code: ErrorCode
  message: string
  /** Field path → problem, for VALIDATION errors. */
  fields?: Record<string, string>
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function err<T = never>(code: ErrorCode, message: string, fields?: Record<string, string>): Result<T> {
  return fields ? { ok: false, error: { code, message, fields } } : { ok: false, error: { code, message } }
}

/** Thrown inside a service transaction to roll it back and answer with this error. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message)
    this.name = 'DomainError'
  }

  toResult<T>(): Result<T> {
    return err(this.code, this.message, this.fields)
  }
}
