import { describe, expect, it } from 'vitest'
import { BENCHMARKS } from '../../bench/index'

// Each benchmark at tiny sizes, through the same code `npm run bench` runs, so none can rot unnoticed.
// The figures are not checked: a loaded test machine says nothing about speed.
describe('benchmarks (smoke run)', () => {
  for (const [name, bench] of Object.entries(BENCHMARKS)) {
    it(`${name} runs and fills its tables`, { timeout: 300_000 }, async () => {
      const tables = await bench({ smoke: true, postgresUrl: process.env['TEST_POSTGRES_URL'] })
      expect(tables.length).toBeGreaterThan(0)
      for (const table of tables) {
        expect(table.rows.length, table.title).toBeGreaterThan(0)
        for (const row of table.rows) {
          expect(row).toHaveLength(table.columns.length)
          expect(row.join(' '), table.title).not.toMatch(/NaN|undefined|Infinity/)
        }
        // A refused mutation or a failed request would make a figure meaningless.
        const errors = table.columns.indexOf('errors')
        if (errors >= 0)
          for (const row of table.rows) expect(['0', ''], table.title).toContain(String(row[errors]))
      }
    })
  }
})
