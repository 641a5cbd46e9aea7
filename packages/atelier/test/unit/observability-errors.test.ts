import { describe, expect, it } from 'vitest'
import { textOf as describeValue } from '../../src/describe.js'
import { toEventError } from '../../src/events.js'

describe('toEventError', () => {
  it('keeps an error name and message', () => {
    expect(toEventError(new RangeError('bad'))).toEqual({ name: 'RangeError', message: 'bad' })
    expect(toEventError('plain')).toEqual({ name: 'Error', message: 'plain' })
  })

  it('describes a null-prototype object instead of throwing', () => {
    expect(toEventError(Object.create(null))).toEqual({
      name: 'Error',
      message: '[object Object]',
    })
  })

  it('describes a revoked Proxy instead of throwing', () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(toEventError(proxy)).toEqual({ name: 'Error', message: '[unreadable value]' })
  })

  it('describes an object whose toString throws', () => {
    const value = {
      toString(): string {
        throw new Error('no')
      },
    }
    expect(toEventError(value)).toEqual({ name: 'Error', message: '[object Object]' })
  })

  it('survives an error whose name getter throws', () => {
    const error = new Error('inner')
    Object.defineProperty(error, 'name', {
      get() {
        throw new Error('getter')
      },
    })
    expect(toEventError(error)).toEqual({ name: 'Error', message: '[object Error]' })
  })

  it('writes non-string names and symbols as strings', () => {
    const error = Object.assign(new Error('m'), { name: 42 })
    expect(toEventError(error)).toEqual({ name: '42', message: 'm' })
    expect(toEventError(Symbol('why'))).toEqual({ name: 'Error', message: 'Symbol(why)' })
  })

  it('result is always cloneable', () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    for (const value of [proxy, Object.create(null), undefined, 1n, () => 1]) {
      expect(() => structuredClone(toEventError(value))).not.toThrow()
    }
  })
})

describe('describe', () => {
  it('never throws', () => {
    expect(describeValue(Object.create(null))).toBe('[object Object]')
    expect(describeValue(null)).toBe('null')
  })
})
