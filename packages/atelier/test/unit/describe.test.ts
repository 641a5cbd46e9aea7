import { expect, describe as group, it } from 'vitest'
import { describe, hasMethod, tagOf, textOf } from '../../src/describe.js'

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

group('hasMethod: a shape check that never throws', () => {
  it('finds own, inherited and symbol-keyed methods, and nothing else', () => {
    expect(hasMethod({ run() {} }, 'run')).toBe(true)
    expect(hasMethod([], Symbol.iterator)).toBe(true)
    expect(hasMethod(new Map(), 'get')).toBe(true)
    expect(hasMethod({ run: 1 }, 'run')).toBe(false)
    expect(hasMethod('text', 'at')).toBe(true)
    for (const value of [undefined, null, 0, Object.create(null)]) {
      expect(hasMethod(value, 'run')).toBe(false)
    }
  })

  it('a revoked Proxy or a getter that throws has no method', () => {
    expect(hasMethod(revoked(), 'run')).toBe(false)
    const hostile = {
      get run(): never {
        throw new Error('getter threw')
      },
    }
    expect(hasMethod(hostile, 'run')).toBe(false)
  })
})
