import { describe, expect, it, vi } from 'vitest'
import { BACKOFF_CAP_MS, backoffDelay } from '../../src/main/sync/backoff'
import { checkCentralUrl } from '../../src/main/sync/centralUrl'
import { SyncScheduler } from '../../src/main/sync/scheduler'

describe('backoff with full jitter', () => {
  it('doubles from 1 s and caps at 5 minutes', () => {
    const top = (failures: number) => backoffDelay(failures, () => 0.999999)
    expect(top(1)).toBe(999)
    expect(top(2)).toBe(1999)
    expect(top(3)).toBe(3999)
    expect(top(9)).toBe(255_999)
    expect(top(10)).toBe(BACKOFF_CAP_MS - 1)
    expect(top(30)).toBe(BACKOFF_CAP_MS - 1)
  })

  it('draws anywhere from zero (full jitter)', () => {
    expect(backoffDelay(5, () => 0)).toBe(0)
    expect(backoffDelay(5, () => 0.5)).toBe(8000)
  })
})

describe('central URL check', () => {
  it('accepts https anywhere and plain http only on loopback', () => {
    expect(checkCentralUrl('https://central.bank.example').protocol).toBe('https:')
    expect(checkCentralUrl('http://127.0.0.1:8787').port).toBe('8787')
    expect(checkCentralUrl('http://localhost:8787').hostname).toBe('localhost')
    expect(() => checkCentralUrl('http://10.0.0.5:8787')).toThrow(/https/)
    expect(() => checkCentralUrl('ftp://127.0.0.1')).toThrow()
    expect(() => checkCentralUrl('not a url')).toThrow()
  })
})

describe('sync scheduler', () => {
  it('never runs two syncs at once; a request during a run makes one more run after it', async () => {
    let running = 0
    let maxRunning = 0
    let runs = 0
    const scheduler = new SyncScheduler(async () => {
      running++
      maxRunning = Math.max(maxRunning, running)
      runs++
      await new Promise((r) => setTimeout(r, 30))
      running--
    })
    await Promise.all([scheduler.now(), scheduler.now(), scheduler.now()])
    scheduler.stop()
    expect(maxRunning).toBe(1)
    expect(runs).toBeGreaterThanOrEqual(2)
    expect(runs).toBeLessThanOrEqual(3)
  })

  it('reports a failed run to the caller of "sync now"', async () => {
    const scheduler = new SyncScheduler(async () => {
      throw new Error('central unreachable')
    })
    await expect(scheduler.now()).rejects.toThrow(/unreachable/)
    scheduler.stop()
  })

  it('tries at once for an emergency suspension even while backing off, and only then', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99) // backoff: ~1 s, then ~2 s
    let runs = 0
    const scheduler = new SyncScheduler(async () => {
      runs++
      throw new Error('central unreachable')
    })
    scheduler.start()
    await new Promise((r) => setTimeout(r, 20))
    expect(runs).toBe(1) // failed: the next try waits for the backoff
    scheduler.notifyChange()
    await new Promise((r) => setTimeout(r, 250))
    const afterOrdinaryChange = runs
    scheduler.notifyChange(true)
    await new Promise((r) => setTimeout(r, 30))
    scheduler.stop()
    random.mockRestore()
    expect(afterOrdinaryChange).toBe(1) // an ordinary change waits for the backoff
    expect(runs).toBe(2)
  })
})
