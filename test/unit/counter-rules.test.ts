import { describe, expect, it } from 'vitest'
import { OTP_STATUSES, type OtpStatus } from '../../src/shared/domain'
import { canMove, MOVES, type Move } from '../../src/core/domain/statusRules'
import { changeFor, HARD_TOKEN_FEE_YEN, taxBreakdown } from '../../src/shared/fees'
import { receiptNumber } from '../../src/core/domain/receiptNumbers'
import { addDays, businessDate } from '../../src/core/domain/businessDate'
import { kanaKey, looksLikeKana } from '../../src/core/domain/kana'
import { classifyQuery } from '../../src/main/services/customers'

describe('status rules (DOMAIN.md)', () => {
  const allowed: Record<Move, OtpStatus[]> = {
    issueHard: ['not_applied', 'declined', 'revoked'],
    activate: ['token_issued'],
    suspend: ['token_issued', 'in_use'],
    requestRevocation: ['token_issued', 'in_use', 'suspended'],
    approveRevocation: ['token_issued', 'in_use', 'suspended'],
    completeRevocation: ['revocation_pending'],
  }
  for (const move of Object.keys(MOVES) as Move[]) {
    for (const from of OTP_STATUSES) {
      const expected = allowed[move].includes(from)
      it(`${expected ? 'allows' : 'refuses'} ${move} from ${from}`, () => {
        expect(canMove(move, from)).toBe(expected)
      })
    }
  }

  it('moves to the status DOMAIN.md names', () => {
    expect(MOVES.issueHard.to).toBe('token_issued')
    expect(MOVES.activate.to).toBe('in_use')
    expect(MOVES.suspend.to).toBe('suspended')
    expect(MOVES.approveRevocation.to).toBe('revocation_pending')
    expect(MOVES.completeRevocation.to).toBe('revoked')
  })
})

describe('fees and tax', () => {
  it('is ¥1,100 including ¥100 tax', () => {
    expect(HARD_TOKEN_FEE_YEN).toBe(1100)
    expect(taxBreakdown(1100)).toEqual({ netYen: 1000, taxYen: 100, grossYen: 1100 })
  })

  it('rounds tax down on other amounts and is zero for a waiver', () => {
    expect(taxBreakdown(0)).toEqual({ netYen: 0, taxYen: 0, grossYen: 0 })
    expect(taxBreakdown(2200)).toEqual({ netYen: 2000, taxYen: 200, grossYen: 2200 })
    expect(taxBreakdown(1099)).toEqual({ netYen: 1000, taxYen: 99, grossYen: 1099 })
    expect(() => taxBreakdown(-1)).toThrow()
    expect(() => taxBreakdown(1.5)).toThrow()
  })

  it('gives change, or null when the cash does not cover the fee', () => {
    expect(changeFor(1100, 10000)).toBe(8900)
    expect(changeFor(1100, 1100)).toBe(0)
    expect(changeFor(1100, 1099)).toBeNull()
  })
})

describe('receipt numbers', () => {
  it('are {branch}-{ws}-{yyyymmdd}-{seq4}', () => {
    expect(receiptNumber('001', '01', '2026-11-25', 1)).toBe('001-01-20261125-0001')
    expect(receiptNumber('123', '12', '2026-12-31', 9999)).toBe('123-12-20261231-9999')
  })

  it('follow the Japanese business date across midnight, month and year ends', () => {
    expect(businessDate(new Date('2026-11-25T14:59:59Z'))).toBe('2026-11-25')
    expect(businessDate(new Date('2026-11-25T15:00:00Z'))).toBe('2026-11-26')
    expect(businessDate(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01')
    expect(receiptNumber('001', '02', businessDate(new Date('2026-12-31T15:00:00Z')), 1)).toBe(
      '001-02-20270101-0001',
    )
  })

  it('refuse what cannot be a receipt number', () => {
    expect(() => receiptNumber('1', '01', '2026-11-25', 1)).toThrow()
    expect(() => receiptNumber('001', '1', '2026-11-25', 1)).toThrow()
    expect(() => receiptNumber('001', '01', '20261125', 1)).toThrow()
    expect(() => receiptNumber('001', '01', '2026-11-25', 0)).toThrow()
    expect(() => receiptNumber('001', '01', '2026-11-25', 10000)).toThrow()
  })

  it('adds days across month and year ends', () => {
    expect(addDays('2026-11-25', 14)).toBe('2026-12-09')
    expect(addDays('2026-12-25', 14)).toBe('2027-01-08')
    expect(addDays('2028-02-20', 14)).toBe('2028-03-05')
  })
})

describe('kana normalisation', () => {
  it('turns hiragana, half-width katakana and spaces into one key', () => {
    expect(kanaKey('さとう はなこ')).toBe('サトウハナコ')
    expect(kanaKey('ｻﾄｳ ﾊﾅｺ')).toBe('サトウハナコ')
    expect(kanaKey('サトウ　ハナコ')).toBe('サトウハナコ')
    expect(kanaKey('ｶﾞｯｺｳ')).toBe('ガッコウ')
    expect(kanaKey('ゔぁ')).toBe('ヴァ')
  })

  it('knows kana from other text', () => {
    expect(looksLikeKana('さとう')).toBe(true)
    expect(looksLikeKana('ｻﾄｳ')).toBe(true)
    expect(looksLikeKana('ユウキ ー')).toBe(true)
    expect(looksLikeKana('佐藤')).toBe(false)
    expect(looksLikeKana('sato')).toBe(false)
    expect(looksLikeKana('   ')).toBe(false)
  })

  it('lets the search box tell CIF, account, phone and kana apart', () => {
    expect(classifyQuery('1000005')).toEqual({ by: 'cif', value: '1000005' })
    expect(classifyQuery('１０００００５')).toEqual({ by: 'cif', value: '1000005' })
    expect(classifyQuery('001-普通-1000012')).toEqual({ by: 'account', value: '001-futsu-1000012' })
    expect(classifyQuery('001-4-1000013')).toEqual({ by: 'account', value: '001-chochiku-1000013' })
    expect(classifyQuery('090-1234-5678')).toEqual({ by: 'phone', value: '09012345678' })
    expect(classifyQuery('ｻﾄｳ')).toEqual({ by: 'kana', value: 'サトウ' })
    expect(classifyQuery('hello')).toBeNull()
  })
})
