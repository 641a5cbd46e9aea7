import { describe, expect, it } from 'vitest'
import { nextSpanId, traceparent } from '../../src/trace-context'

describe('nextSpanId', () => {
  it('gives 16 lowercase hex digits, never repeated, across many changes of its cached head', () => {
    const seen = new Set<string>()
    // 70,000 ids cross the cached first 14 digits' change (every 256 ids) some 270 times.
    for (let i = 0; i < 70_000; i++) {
      const id = nextSpanId()
      expect(id).toMatch(/^[0-9a-f]{16}$/)
      seen.add(id)
    }
    expect(seen.size).toBe(70_000)
  })

  it('counts up in the last 8 digits, carrying into the cached head', () => {
    const ids = Array.from({ length: 600 }, () => nextSpanId())
    const prefix = ids[0]!.slice(0, 8)
    const counts = ids.map((id) => {
      expect(id.slice(0, 8)).toBe(prefix)
      return Number.parseInt(id.slice(8), 16)
    })
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBe((counts[i - 1]! + 1) >>> 0)
  })

  it('makes ids a traceparent accepts', () => {
    expect(traceparent('0af7651916cd43dd8448eb211c80319c', nextSpanId(), true)).toMatch(
      /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/,
    )
  })
})
