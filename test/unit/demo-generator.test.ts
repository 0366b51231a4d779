import { describe, expect, it } from 'vitest'
import { OTP_STATUSES } from '../../src/shared/domain'
import { generateDemoBank } from '../../src/core/demo/generator'

describe('demo bank generator', () => {
  const bank = generateDemoBank()

  it('is deterministic for a seed and differs for another', () => {
    expect(JSON.stringify(generateDemoBank())).toBe(JSON.stringify(bank))
    expect(generateDemoBank({ seed: 7 }).customers[0]).not.toEqual(bank.customers[0])
  })

  it('makes branch 001 with the demo logins', () => {
    expect(bank.branch.code).toBe('001')
    expect(bank.staff.map((s) => [s.staffId, s.role])).toEqual([
      ['T001', 'teller'],
      ['T002', 'teller'],
      ['S001', 'supervisor'],
      ['S002', 'supervisor'],
      ['A001', 'admin'],
    ])
  })

  it('makes 2,000 customers with unique 7-digit CIFs and names in kanji and katakana', () => {
    expect(bank.customers).toHaveLength(2000)
    expect(new Set(bank.customers.map((c) => c.cif)).size).toBe(2000)
    for (const c of bank.customers) {
      expect(c.cif).toMatch(/^\d{7}$/)
      expect(c.nameKanji).toMatch(
        /^[\p{Script=Han}\p{Script=Hiragana}]+ [\p{Script=Han}\p{Script=Hiragana}]+$/u,
      )
      expect(c.nameKana).toMatch(/^[\p{Script=Katakana}ー]+ [\p{Script=Katakana}ー]+$/u)
      expect(c.phone).toMatch(/^0\d{2}-\d{3,4}-\d{4}$/)
      expect(c.accounts.length).toBeGreaterThan(0)
    }
  })

  it('spreads customers over every OTP status, with a token for each live one', () => {
    const byStatus = new Map<string, number>()
    for (const c of bank.customers) byStatus.set(c.otpStatus, (byStatus.get(c.otpStatus) ?? 0) + 1)
    for (const status of OTP_STATUSES) expect(byStatus.get(status) ?? 0, status).toBeGreaterThan(10)
    for (const c of bank.customers) {
      const live = c.tokens.filter((t) => t.state === 'issued' || t.state === 'active')
      const shouldBeLive = ['token_issued', 'in_use', 'suspended', 'revocation_pending'].includes(c.otpStatus)
      expect(live.length, c.cif).toBe(shouldBeLive ? 1 : 0)
    }
  })

  it('puts 50 hard tokens with 20-byte seeds in stock, serials unique across the bank', () => {
    expect(bank.stock).toHaveLength(50)
    const serials = [
      ...bank.stock.map((s) => s.serial),
      ...bank.customers.flatMap((c) => c.tokens.map((t) => t.serial).filter(Boolean)),
    ]
    expect(new Set(serials).size).toBe(serials.length)
    for (const s of bank.stock) expect(s.seed).toHaveLength(20)
    expect(new Set(bank.stock.map((s) => s.algorithm))).toEqual(new Set(['hotp', 'totp']))
  })

  it('keeps every account number unique', () => {
    const keys = bank.customers.flatMap((c) =>
      c.accounts.map((a) => `${a.branchCode}-${a.subject}-${a.number}`),
    )
    expect(new Set(keys).size).toBe(keys.length)
  })
})
