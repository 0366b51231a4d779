import { formatDateTime } from '../../shared/format'

export { formatDateBoth, formatWestern } from '../../shared/format'

/** An instant or nothing, as HQ reads it: 2026/11/25 10:03 (Japan time) or —. */
export const when = (value: string | null | undefined): string => (value ? formatDateTime(value) : '—')
