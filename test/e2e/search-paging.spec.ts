import { expect, logIn, test } from './desk'

test('a kana search pages forward and back by keyboard, 20 at a time, without skipping anyone', async ({
  page,
  desk,
}) => {
  await logIn(page, desk, 'T001', 'demo-T001')
  await expect(page.getByTestId('current-staff')).toBeVisible()
  await page.keyboard.press('F2')
  const query = page.getByTestId('search-query')
  await query.fill('サ')
  await query.press('Enter')
  const pager = page.getByTestId('search-page')
  const rows = page.getByTestId('search-results').locator('tbody tr')
  await expect(pager).toHaveText(/件中 1〜20件|件以上のうち 1〜20件/)
  const firstPage = await rows.allInnerTexts()
  expect(firstPage).toHaveLength(20)

  await query.press('PageDown')
  await expect(pager).toHaveText(/21〜40件/)
  const secondPage = await rows.allInnerTexts()
  expect(secondPage).toHaveLength(20)
  expect(secondPage.some((row) => firstPage.includes(row))).toBe(false)
  // Sorted by kana across the page boundary: the second page starts where the first one ended.
  const kana = (row: string) => row.split('\t')[2]!
  expect(kana(secondPage[0]!) >= kana(firstPage[19]!)).toBe(true)

  await query.press('PageUp')
  await expect(pager).toHaveText(/1〜20件/)
  expect(await rows.allInnerTexts()).toEqual(firstPage)
  await page.screenshot({ path: 'test-results/search-paging.png', fullPage: true })
})
