import { describe, expect, test } from 'vitest'
import { MAX_HELD, Pacer, SHORT_CEILING_MS, SHORT_STREAK } from '../../src/engine/pacer.js'

/** `count` calls of `method` answered after `cost` ms each, each alone on its worker. */
function answer(pacer: Pacer, method: string, cost: number, count = 1, alone = true): number {
  let depth = pacer.depth
  for (let i = 0; i < count; i++) depth = pacer.answered(method, cost, alone)
  return depth
}

describe('Pacer', () => {
  test('one call per worker until a method has been short SHORT_STREAK times in a row', () => {
    const pacer = new Pacer()
    expect(pacer.depth).toBe(1)
    // The first call sets the round trip; it and the next are short, but not yet enough.
    expect(answer(pacer, 'add', 0.05, SHORT_STREAK - 1)).toBe(1)
    expect(answer(pacer, 'add', 0.05)).toBe(MAX_HELD)
  })

  test('one long call brings the depth back to one; it takes a new streak to rise again', () => {
    const pacer = new Pacer()
    answer(pacer, 'add', 0.05, SHORT_STREAK)
    expect(pacer.depth).toBe(MAX_HELD)
    expect(answer(pacer, 'add', 5)).toBe(1)
    expect(answer(pacer, 'add', 0.05, SHORT_STREAK - 1)).toBe(1)
    expect(answer(pacer, 'add', 0.05)).toBe(MAX_HELD)
  })

  test('any method that is long keeps every worker at one call', () => {
    const pacer = new Pacer()
    answer(pacer, 'add', 0.05, SHORT_STREAK)
    expect(answer(pacer, 'encode', 8)).toBe(1)
    expect(answer(pacer, 'add', 0.05, 10)).toBe(1)
  })

  test('a call is never short past SHORT_CEILING_MS, whatever the round trip', () => {
    const pacer = new Pacer()
    // Every call long: the "round trip" seen is the calls' own cost.
    expect(answer(pacer, 'encode', SHORT_CEILING_MS * 1.5, 20)).toBe(1)
  })

  test('a stream holds its worker: one call per worker while its method streams', () => {
    const pacer = new Pacer()
    answer(pacer, 'add', 0.05, SHORT_STREAK)
    expect(pacer.streams('tiles')).toBe(1)
  })

  test('a busy worker is stalled once it has held its calls longer than a short call takes', () => {
    const pacer = new Pacer()
    answer(pacer, 'add', 0.1)
    expect(pacer.stalled(0, 0.15)).toBe(false)
    expect(pacer.stalled(0, 0.25)).toBe(true)
  })

  test('one outlier-fast round trip does not hold the pacer at one call per worker for good', () => {
    const pacer = new Pacer()
    // A lucky 0.02 ms round trip, then the machine's usual 0.08 ms: more than twice the outlier.
    answer(pacer, 'add', 0.02)
    expect(answer(pacer, 'add', 0.08, 5)).toBe(1)
    // The estimate rises with each call alone until the usual round trip counts as short again.
    expect(answer(pacer, 'add', 0.08, 30)).toBe(MAX_HELD)
    // Still bounded by the calls actually seen: a call far over them is long at once.
    expect(answer(pacer, 'add', 0.5)).toBe(1)
  })

  test('calls that waited behind others do not move the round-trip estimate', () => {
    const pacer = new Pacer()
    answer(pacer, 'add', 0.05)
    // Slow costs, but not alone: they say nothing of the round trip, which stays at 0.05.
    answer(pacer, 'add', 0.3, 40, false)
    expect(answer(pacer, 'add', 0.09, SHORT_STREAK)).toBe(MAX_HELD)
    expect(answer(pacer, 'add', 0.2)).toBe(1)
  })
})
