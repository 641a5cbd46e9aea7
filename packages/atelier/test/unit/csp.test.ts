import { describe, expect, test } from 'vitest'

// Every source file of the package, as text (Vite's glob import, so no Node APIs are needed).
const sources = import.meta.glob<string>('../../src/**/*.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
})

describe('Content Security Policy', () => {
  test('the package sources are all read', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(15)
    expect(Object.keys(sources)).toContain('../../src/engine/executor.ts')
  })

  test.each([
    ['eval(', /\beval\s*\(/],
    ['new Function', /new\s+Function\b/],
    ['Function(', /(?<![\w.])Function\s*\(/],
    ['createObjectURL (blob URLs)', /createObjectURL/],
    ['blob: URLs', /['"`]blob:/],
    ['string setTimeout', /setTimeout\(\s*['"`]/],
  ])('no %s anywhere in the package', (_label, pattern) => {
    const offenders = Object.entries(sources)
      .filter(([, text]) => pattern.test(text))
      .map(([file]) => file)
    expect(offenders).toEqual([])
  })
})
