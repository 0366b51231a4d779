import type { MutationName } from '../../shared/syncProtocol'
import { MUTATORS } from '../../core/mutators'

/**
 * A credential change central refused (パスワード変更, 承認用認証アプリの登録) carries the person's current
 * password and the new hash or authenticator key, sealed in the outbox only for as long as the row waits to
 * be sent. Once refused, the row is kept in 同期エラー for the supervisor — but the secrets are not: they
 * would stay there for good, and a password is a stronger secret than the hash beside it. Such a change
 * cannot be sent again either (the same password and secret would be refused the same way); the person
 * does it again themselves.
 */
export function carriesSecrets(name: string): boolean {
  return (MUTATORS[name as MutationName]?.secretArgs?.length ?? 0) > 0
}

/** A mutation's stored arguments (JSON) without its secret fields, as 同期エラー and an export keep them. */
export function argsWithoutSecrets(name: string, argsJson: string): string {
  const secretArgs = MUTATORS[name as MutationName]?.secretArgs ?? []
  if (!secretArgs.length) return argsJson
  const args = JSON.parse(argsJson) as Record<string, unknown> | null
  if (args === null || typeof args !== 'object') return argsJson
  for (const field of secretArgs) delete args[field]
  return JSON.stringify(args)
}
