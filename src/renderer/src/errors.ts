import type { AppError } from '../../shared/result'
import { i18n } from './i18n'

/** The words shown for an error: from the i18n table by code, never the service's English message. */
export function errorText(error: AppError): string {
  const key = `errors.${error.code}`
  return i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t('errors.INTERNAL')
}
