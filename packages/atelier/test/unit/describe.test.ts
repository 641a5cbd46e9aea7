import { expect, describe as group, it } from 'vitest'
import { describe, tagOf, textOf } from '../../src/describe.js'

const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

group('describing values never throws and never walks them', () => {
  it('a revoked Proxy', () => {
    expect(describe(revoked())).toBe('an unreadable object')
    expect(textOf(revoked())).toBe('[unreadable value]')
    expect(tagOf(revoked())).toBe('[unreadable value]')
  })

  it('an array of length 2^32-1 by its length, not by joining its holes', () => {
    const sparse: unknown[] = []
    sparse.length = 2 ** 32 - 1
    sparse[2 ** 31] = 'x'
    expect(textOf(sparse)).toBe('an array of length 4294967295')
    expect(describe(sparse)).toBe('an array')
  })

  it('objects without a usable toString, by their tag or class', () => {
    class Frame {}
    expect(textOf(Object.create(null))).toBe('[object Object]')
    expect(
      textOf({
        toString() {
          throw new Error('no')
        },
      }),
    ).toBe('[object Object]')
    expect(tagOf(new Frame())).toBe('[object Frame]')
    expect(textOf(Symbol('s'))).toBe('Symbol(s)')
    expect(describe(Symbol('s'))).toBe('Symbol(s)')
  })
})
