import { describe, expect, it } from 'vitest'
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, backoffDelay } from '../../src/engine/backoff.js'

describe('backoffDelay', () => {
  it('exposes a 100 ms base and a 2 s cap', () => {
    expect(BACKOFF_BASE_MS).toBe(100)
    expect(BACKOFF_MAX_MS).toBe(2000)
  })

  it('doubles from 100 ms per consecutive crash, then stays at the 2 s cap', () => {
    const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(i + 1))
    expect(delays).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000, 2000, 2000])
  })

  it('treats a streak of 0 or less as the first crash', () => {
    expect(backoffDelay(0)).toBe(100)
    expect(backoffDelay(-3)).toBe(100)
  })

  it('never decreases as the streak grows', () => {
    let previous = 0
    for (let streak = 1; streak <= 200; streak++) {
      const delay = backoffDelay(streak)
      expect(delay).toBeGreaterThanOrEqual(previous)
      previous = delay
    }
  })

  it.each([
    17,
    18,
    64,
    1024,
    1100,
    10_000,
    2 ** 31,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.POSITIVE_INFINITY,
  ])('a huge streak (%d) stays at 2000 and finite', (streak) => {
    const delay = backoffDelay(streak)
    expect(delay).toBe(2000)
    expect(Number.isFinite(delay)).toBe(true)
  })
})
