import { ElMessage } from 'element-plus'
import { ConsoleError } from './api'
import { i18n } from './i18n'

/** Central's refusal in the bank's words (never central's own text). */
export function errorText(e: unknown): string {
  const t = i18n.global.t
  const te = i18n.global.te
  if (e instanceof ConsoleError) {
    const key = `error.${e.code}`
    return te(key) ? t(key, e.details as Record<string, unknown>) : t('error.UNKNOWN')
  }
  return t('error.UNKNOWN')
}

/** The field-level words for a VALIDATION refusal, by field name. */
export function fieldErrors(e: unknown): Record<string, string> {
  const t = i18n.global.t
  if (!(e instanceof ConsoleError) || e.code !== 'VALIDATION') return {}
  const fields = (e.details['fields'] ?? {}) as Record<string, string>
  return Object.fromEntries(Object.entries(fields).map(([f, code]) => [f, t(`field.${code}`)]))
}

export function showError(e: unknown): void {
  ElMessage({ type: 'error', message: errorText(e), showClose: true, duration: 6000 })
}

export function showDone(message: string): void {
  ElMessage({ type: 'success', message, showClose: true })
}
