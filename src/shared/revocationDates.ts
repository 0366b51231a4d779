/**
 * Days a revocation has been waiting, counted the way its due date is: Japan calendar days from the
 * day the branch received it. A paper form counts from the received date written on it (its due date is
 * received + 14 days); an in-person request from the day it was recorded at the counter.
 */
const japanDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

/** YYYY-MM-DD: the calendar day in Japan at that instant, whatever the PC's time zone. */
export function japanCalendarDate(at: Date | string): string {
  return japanDay.format(typeof at === 'string' ? new Date(at) : at)
}

/** Whole calendar days from one YYYY-MM-DD date to another (negative if `to` is earlier). */
export function calendarDaysBetween(from: string, to: string): number {
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)
  return Math.round(ms / 86_400_000)
}

export interface RevocationDates {
  channel: 'in_person' | 'paper'
  receivedOn: string | null
  createdAt: string
}

/** The day the clock starts: the received date for paper, the counter's day for in-person. */
export function revocationStartDate(r: RevocationDates): string {
  return r.channel === 'paper' && r.receivedOn ? r.receivedOn : japanCalendarDate(r.createdAt)
}

/** 経過日数 shown beside the due date: never negative (a form is never received in the future). */
export function revocationElapsedDays(r: RevocationDates, now: Date): number {
  return Math.max(0, calendarDaysBetween(revocationStartDate(r), japanCalendarDate(now)))
}
