import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempApp, type TempApp } from '../support/tempApp'
import { login } from '../support/counter'

let app: TempApp
beforeAll(async () => {
  app = await tempApp()
  await login(app, 'pc', 'T001')
})
afterAll(() => app.close())

type Page = { items: { cif: string; nameKana: string }[]; total: number; by: string; page: number }
async function search(query: string, page = 1): Promise<Page> {
  const result = await app.invoke('pc', 'customers.search', { query, page })
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value as Page
}

describe('customer search', () => {
  it('finds by CIF', async () => {
    expect(await search('1000005')).toMatchObject({ by: 'cif', total: 1, items: [{ cif: '1000005' }] })
  })

  it('finds by account in 店番-科目-口座番号, with the subject as kanji or code', async () => {
    const account = await app.services.db('accounts').where({ subject: 'futsu' }).first()
    for (const q of [
      `${account.branch_code}-普通-${account.number}`,
      `${account.branch_code}-1-${account.number}`,
    ]) {
      expect(await search(q), q).toMatchObject({ by: 'account', total: 1, items: [{ cif: account.cif }] })
    }
  })

  it('finds by phone number with or without hyphens', async () => {
    const customer = await app.services.db('customers').where({ cif: '1000005' }).first()
    expect((await search(customer.phone)).items.map((i) => i.cif)).toContain('1000005')
    expect((await search(customer.phone.replace(/-/g, ''))).items.map((i) => i.cif)).toContain('1000005')
  })

  it('finds by kana prefix ignoring width, hiragana/katakana and spaces', async () => {
    const katakana = await search('サトウ')
    expect(katakana.by).toBe('kana')
    expect(katakana.total).toBeGreaterThan(0)
    for (const item of katakana.items) expect(item.nameKana.startsWith('サトウ')).toBe(true)
    for (const variant of ['さとう', 'ｻﾄｳ', ' サ ト ウ ', 'さトｳ']) {
      expect((await search(variant)).total, variant).toBe(katakana.total)
    }
    const full = await search('サトウ ハナコ')
    const compact = await search('ｻﾄｳﾊﾅｺ')
    expect(compact.total).toBe(full.total)
  })

  it('pages results, 20 at a time, in a stable order', async () => {
    const first = await search('サ')
    expect(first.total).toBeGreaterThan(20)
    expect(first.items).toHaveLength(20)
    const second = await search('サ', 2)
    expect(second.page).toBe(2)
    const firstCifs = new Set(first.items.map((i) => i.cif))
    for (const item of second.items) expect(firstCifs.has(item.cif)).toBe(false)
  })

  it('continues from the previous page with its cursor, in the same order as page numbers', async () => {
    const first = (await app.invoke('pc', 'customers.search', { query: 'サ', page: 1 })) as {
      ok: true
      value: Page & { next: { key: string; cif: string } | null }
    }
    expect(first.value.next).not.toBeNull()
    const byCursor = await app.invoke('pc', 'customers.search', {
      query: 'サ',
      page: 2,
      after: first.value.next,
    })
    const byNumber = await search('サ', 2)
    expect(byCursor).toMatchObject({ ok: true, value: { page: 2, items: byNumber.items } })
  })

  it('stops counting at 200, says the total is a lower bound, and pages through every match', async () => {
    const rows = Array.from({ length: 1050 }, (_, i) => ({
      cif: String(9_000_000 + i),
      name_kanji: '試験 太郎',
      name_kana: 'テスト タロウ',
      name_kana_key: 'テストタロウ',
      birth_date: '1980-01-01',
      phone: '023-600-0000',
      phone_digits: '0236000000',
      home_branch: '001',
      otp_status: 'not_applied',
      status_changed_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    }))
    await app.services.db.batchInsert('customers', rows, 50)
    const seen = new Set<string>()
    let after: { key: string; cif: string } | null | undefined
    for (let page = 1; page <= 60 && after !== null; page++) {
      const result = await app.invoke('pc', 'customers.search', { query: 'テスト', page, after })
      if (!result.ok) throw new Error(result.error.message)
      const value = result.value as Page & { totalIsLowerBound: boolean; next: typeof after }
      expect(value).toMatchObject({ total: 200, totalIsLowerBound: true })
      for (const item of value.items) seen.add(item.cif)
      after = value.next
    }
    expect(seen.size).toBe(1050)
    expect(await search('1000005')).toMatchObject({ total: 1, totalIsLowerBound: false, next: null })
  })

  it('refuses a malformed cursor with VALIDATION', async () => {
    const result = await app.invoke('pc', 'customers.search', {
      query: 'サ',
      page: 2,
      after: { key: 'サ', cif: 'abc' },
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('answers an unrecognised query with VALIDATION', async () => {
    const result = await app.invoke('pc', 'customers.search', { query: 'hello world', page: 1 })
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('shows the customer file with requests, receipts, history and its age', async () => {
    const result = await app.invoke('pc', 'customers.file', { cif: '1000005' })
    expect(result).toMatchObject({
      ok: true,
      value: { cif: '1000005', requests: [], receipts: [], asOf: null, stale: true },
    })
  })
})
