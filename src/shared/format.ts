/** Display formats the bank uses (DOMAIN.md): 和暦 beside western dates, amounts as ¥1,100. */
const wareki = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
  era: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'Asia/Tokyo',
})
const western = new Intl.DateTimeFormat('ja-JP', {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'Asia/Tokyo',
})
const westernTime = new Intl.DateTimeFormat('ja-JP', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Asia/Tokyo',
})

/** A calendar date (YYYY-MM-DD) or an instant, as Japan sees it. */
function toDate(value: string | Date): Date {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T00:00:00+09:00`)
    : new Date(value)
}

/** 令和8年11月25日 */
export function formatWareki(value: string | Date): string {
  return wareki.format(toDate(value))
}

/** 2026年11月25日 */
export function formatWestern(value: string | Date): string {
  return western.format(toDate(value))
}

/** 2026年11月25日（令和8年11月25日） */
export function formatDateBoth(value: string | Date): string {
  return `${formatWestern(value)}（${formatWareki(value)}）`
}

/** 2026/11/25 10:03 in Japan time */
export function formatDateTime(value: string | Date): string {
  return westernTime.format(toDate(value))
}

/** ¥1,100; a negative amount as -¥100 */
export function formatYen(amount: number): string {
  return `${amount < 0 ? '-' : ''}¥${Math.abs(amount).toLocaleString('ja-JP')}`
}
