import type { AppError } from '../../shared/result'
import { i18n } from './i18n'

/** The words shown for an error: from the i18n table by code, never the service's English message. */
export function errorText(error: AppError): string {
  const key = `errors.${error.code}`
  const text = i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t('errors.INTERNAL')
  const fields = fieldProblems(error)
  return fields.length ? `${text} ${fields.join(' ')}` : text
}

/**
 * A VALIDATION error's fields, each in the screen's language: one message per field path
 * (`paper.formNo` → validation.field.paper_formNo), whatever English the schema or service wrote.
 */
export function fieldProblems(error: AppError): string[] {
  if (error.code !== 'VALIDATION' || !error.fields) return []
  const seen = new Set<string>()
  for (const path of Object.keys(error.fields)) {
    const key = `validation.field.${path.replace(/\./g, '_')}`
    seen.add(i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t('validation.other'))
  }
  return [...seen]
}
