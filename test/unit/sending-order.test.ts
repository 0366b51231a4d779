import { describe, expect, it } from 'vitest'
import { sendingOrder } from '../../src/main/services/outbox'

const row = (id: number, cif: string | null, priority = 0, mutation_id: number | null = null) => ({
  id,
  cif,
  priority,
  mutation_id,
})

describe('the order waiting mutations are numbered and sent in', () => {
  it('keeps the order work was done in when nothing is urgent', () => {
    expect(sendingOrder([row(3, 'B'), row(1, 'A'), row(2, null)]).map((r) => r.id)).toEqual([1, 2, 3])
  })

  it('sends a suspension ahead of other customers’ work, with its own customer’s earlier work first', () => {
    const rows = [row(1, 'X'), row(2, 'Y'), row(3, 'Z'), row(4, 'Y', 10), row(5, 'Y')]
    expect(sendingOrder(rows).map((r) => r.id)).toEqual([2, 4, 1, 3, 5])
  })

  it('never moves rows that already have a mutation id (a retry resends the same ids)', () => {
    const rows = [row(1, 'X', 0, 7), row(2, 'X', 0, 8), row(3, 'Y'), row(4, 'Y', 10)]
    expect(sendingOrder(rows).map((r) => r.id)).toEqual([1, 2, 3, 4])
  })

  it('handles several suspensions in the order they were made', () => {
    const rows = [row(1, 'A'), row(2, 'B'), row(3, 'B', 10), row(4, 'A', 10), row(5, 'C')]
    expect(sendingOrder(rows).map((r) => r.id)).toEqual([2, 3, 1, 4, 5])
  })
})
