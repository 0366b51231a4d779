import { describe, expect, it } from 'vitest'
import { formNumber, revocationRequestInput } from '../../src/shared/contract'
import { channelAllowedFor, revocationChannelsFor } from '../../src/shared/revocationChannels'
import {
  calendarDaysBetween,
  japanCalendarDate,
  revocationElapsedDays,
  revocationStartDate,
} from '../../src/shared/revocationDates'
import { paperDueOn } from '../../src/core/domain/revocationRules'

describe('書面番号 as the bank writes it', () => {
  it('accepts 第0123号 and keeps it as written', () => {
    expect(formNumber.parse('第0123号')).toBe('第0123号')
  })

  it('normalises full-width digits, letters and hyphens with NFKC, and trims', () => {
    expect(formNumber.parse(' 第０１２３号 ')).toBe('第0123号')
    expect(formNumber.parse('Ｆ－２０２６－０１０１')).toBe('F-2026-0101')
  })

  it('still accepts the plain forms', () => {
    expect(formNumber.parse('F-2026-0101')).toBe('F-2026-0101')
  })

  it('refuses an empty number, symbols, and more than 20 characters after normalising', () => {
    expect(formNumber.safeParse('   ').success).toBe(false)
    expect(formNumber.safeParse('F/2026').success).toBe(false)
    expect(formNumber.safeParse('<script>').success).toBe(false)
    expect(formNumber.safeParse('第' + '1'.repeat(19) + '号').success).toBe(false)
    expect(formNumber.safeParse('第' + '１'.repeat(18) + '号').success).toBe(true)
  })

  it('is what a paper revocation request carries, with the field path the screen translates', () => {
    const base = { cif: '1000001', channel: 'paper', reason: 'unneeded' } as const
    const ok = revocationRequestInput.parse({
      ...base,
      paper: { formNo: '第０１２３号', receivedOn: '2026-11-10', sealChecked: true },
    })
    expect(ok.paper?.formNo).toBe('第0123号')
    const bad = revocationRequestInput.safeParse({
      ...base,
      paper: { formNo: '第0123号!', receivedOn: '2026-11-10', sealChecked: true },
    })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0]?.path).toEqual(['paper', 'formNo'])
  })
})

describe('which ways a revocation may be received (the guide, ③ 利用解除について)', () => {
  it('offers paper only for hard tokens', () => {
    expect(revocationChannelsFor('hard')).toEqual(['in_person', 'paper'])
    expect(revocationChannelsFor('soft')).toEqual(['in_person'])
    expect(revocationChannelsFor(null)).toEqual(['in_person'])
    expect(channelAllowedFor('paper', 'soft')).toBe(false)
    expect(channelAllowedFor('in_person', 'soft')).toBe(true)
    expect(channelAllowedFor('paper', 'hard')).toBe(true)
  })
})

describe('経過日数 counts from the same date as the due date, in Japan calendar days', () => {
  // 2026-11-27 08:30 in Japan (23:30 UTC the day before).
  const now = new Date('2026-11-26T23:30:00Z')

  it('takes the Japan calendar day of an instant', () => {
    expect(japanCalendarDate(now)).toBe('2026-11-27')
    expect(japanCalendarDate('2026-11-26T14:59:59Z')).toBe('2026-11-26')
    expect(japanCalendarDate('2026-11-26T15:00:00Z')).toBe('2026-11-27')
  })

  it('counts whole calendar days between dates, across month ends', () => {
    expect(calendarDaysBetween('2026-11-10', '2026-11-27')).toBe(17)
    expect(calendarDaysBetween('2026-12-25', '2027-01-08')).toBe(14)
    expect(calendarDaysBetween('2026-11-27', '2026-11-27')).toBe(0)
  })

  it('a paper form received 17 days ago and typed in today shows 17 days, past its due date', () => {
    const paper = { channel: 'paper' as const, receivedOn: '2026-11-10', createdAt: '2026-11-26T23:00:00Z' }
    expect(revocationStartDate(paper)).toBe('2026-11-10')
    expect(revocationElapsedDays(paper, now)).toBe(17)
    // The due date counts from the same day: received + 14 = 11-24, so it is overdue by 3 days.
    expect(paperDueOn(paper.receivedOn)).toBe('2026-11-24')
    expect(calendarDaysBetween(paperDueOn(paper.receivedOn), japanCalendarDate(now))).toBe(3)
  })

  it('an in-person request counts from the Japan day it was recorded, not 24-hour periods', () => {
    // Recorded at 23:50 in Japan on 11-25 (14:50 UTC): 2 calendar days by 08:30 on 11-27.
    const inPerson = { channel: 'in_person' as const, receivedOn: null, createdAt: '2026-11-25T14:50:00Z' }
    expect(revocationStartDate(inPerson)).toBe('2026-11-25')
    expect(revocationElapsedDays(inPerson, now)).toBe(2)
    // Recorded at 00:10 in Japan today (15:10 UTC yesterday): still day 0.
    expect(
      revocationElapsedDays(
        { channel: 'in_person', receivedOn: null, createdAt: '2026-11-26T15:10:00Z' },
        now,
      ),
    ).toBe(0)
  })
})
