import { describe, expect, it } from 'vitest'
import type { SerializedError } from '../../src/wire/protocol.js'
import {
  deserializeError,
  MAX_ERROR_DEPTH,
  serializeError,
  serializeValue,
} from '../../src/wire/serialize-error.js'

/** What the main thread sees: serialized in the "worker", cloned across, rebuilt. */
function roundTrip(thrown: unknown): Error {
  return deserializeError(structuredClone(serializeError(thrown)))
}

type WithFields = Error & Record<string, unknown>

describe('serializeError / deserializeError round trip', () => {
  it('keeps name, message and the original stack verbatim', () => {
    const error = new Error('it broke')
    error.stack = 'Error: it broke\n    at handler (worker.js:10:5)'
    const result = roundTrip(error)
    expect(result).toBeInstanceOf(Error)
    expect(result.name).toBe('Error')
    expect(result.message).toBe('it broke')
    expect(result.stack).toBe('Error: it broke\n    at handler (worker.js:10:5)')
    expect('cause' in result).toBe(false)
    expect(Object.keys(result)).toEqual([])
  })

  it('keeps the real stack of a thrown error', () => {
    const error = new RangeError('out of range')
    expect(roundTrip(error).stack).toBe(error.stack)
  })

  it.each([Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError])(
    'rebuilds %o as an instance of the same class',
    (Ctor) => {
      const result = roundTrip(new Ctor('msg'))
      expect(Object.getPrototypeOf(result)).toBe(Ctor.prototype)
      expect(result.name).toBe(Ctor.name)
      expect(result.message).toBe('msg')
      expect(Object.hasOwn(result, 'name')).toBe(false)
    },
  )

  it('gives custom errors a plain Error with their name and own fields', () => {
    class ValidationError extends Error {
      override name = 'ValidationError'
      code = 'E_INVALID'
      field = { path: ['user', 'email'], limit: 3n }
    }
    const serialized = serializeError(new ValidationError('bad email'))
    expect(Object.keys(serialized.props ?? {}).sort()).toEqual(['code', 'field'])
    const result = roundTrip(new ValidationError('bad email')) as WithFields
    expect(result).toBeInstanceOf(Error)
    expect(result).not.toBeInstanceOf(TypeError)
    expect(result.name).toBe('ValidationError')
    expect(Object.hasOwn(result, 'name')).toBe(true)
    expect(result.message).toBe('bad email')
    expect(result.code).toBe('E_INVALID')
    expect(result.field).toEqual({ path: ['user', 'email'], limit: 3n })
    expect(Object.keys(result).sort()).toEqual(['code', 'field'])
    expect(String(result)).toBe('ValidationError: bad email')
  })

  it('keeps a cause chain, rebuilding each level', () => {
    const root = new TypeError('root', { cause: { detail: 42 } })
    root.stack = 'TypeError: root\n    at deep (worker.js:1:1)'
    const middle = Object.assign(new Error('middle', { cause: root }), { code: 'E_MID' })
    const top = new Error('top', { cause: middle })

    const result = roundTrip(top)
    const second = result.cause as WithFields
    expect(second).toBeInstanceOf(Error)
    expect(second.message).toBe('middle')
    expect(second.code).toBe('E_MID')
    expect(second.stack).toBe(middle.stack)
    const third = second.cause as Error
    expect(third).toBeInstanceOf(TypeError)
    expect(third.message).toBe('root')
    expect(third.stack).toBe('TypeError: root\n    at deep (worker.js:1:1)')
    expect(third.cause).toEqual({ detail: 42 })
  })

  it('keeps a cause that is explicitly undefined', () => {
    const result = roundTrip(new Error('x', { cause: undefined }))
    expect(Object.hasOwn(result, 'cause')).toBe(true)
    expect(result.cause).toBeUndefined()
  })

  it('keeps AggregateError.errors, rebuilding the errors among them', () => {
    const aggregate = new AggregateError(
      [new RangeError('first'), 'a string', { n: 1 }, new AggregateError([new Error('inner')])],
      'several failed',
    )
    const result = roundTrip(aggregate)
    expect(result).toBeInstanceOf(AggregateError)
    expect(result.message).toBe('several failed')
    const errors = (result as AggregateError).errors
    expect(errors).toHaveLength(4)
    expect(errors[0]).toBeInstanceOf(RangeError)
    expect(errors[0].message).toBe('first')
    expect(errors[1]).toBe('a string')
    expect(errors[2]).toEqual({ n: 1 })
    expect(errors[3]).toBeInstanceOf(AggregateError)
    expect(errors[3].errors[0].message).toBe('inner')
    expect(Object.keys(result)).toEqual([])
  })

  it('keeps errors of an AggregateError subclass on a plain Error', () => {
    class MultiError extends AggregateError {
      override name = 'MultiError'
    }
    const result = roundTrip(new MultiError([new TypeError('t')], 'multi')) as WithFields
    expect(result.name).toBe('MultiError')
    expect(result.errors).toHaveLength(1)
    expect((result.errors as unknown[])[0]).toBeInstanceOf(TypeError)
    expect(Object.keys(result)).toEqual([])
  })

  it('does not treat a shared error as a cycle', () => {
    const shared = new TypeError('shared')
    const result = roundTrip(new AggregateError([shared, shared])) as AggregateError
    expect(result.errors[0]).toBeInstanceOf(TypeError)
    expect(result.errors[1]).toBeInstanceOf(TypeError)
  })

  it('round-trips DOMException names and messages', () => {
    const abort = roundTrip(new DOMException('The operation was aborted', 'AbortError'))
    expect(abort).toBeInstanceOf(Error)
    expect(abort.name).toBe('AbortError')
    expect(abort.message).toBe('The operation was aborted')

    let cloneError: unknown
    try {
      structuredClone({ fn: () => {} })
    } catch (error) {
      cloneError = error
    }
    expect(cloneError).toBeInstanceOf(DOMException)
    const dataClone = roundTrip(cloneError)
    expect(dataClone.name).toBe('DataCloneError')
    expect(dataClone.message).toBe((cloneError as DOMException).message)
  })

  it('describes uncloneable fields instead of dropping them', () => {
    function handler(): void {}
    class Widget {
      get [Symbol.toStringTag](): string {
        return 'HTMLDivElement'
      }
      onClick = (): void => {}
    }
    const error = Object.assign(new Error('x'), {
      code: 7,
      handler,
      element: new Widget(),
      weak: new WeakMap(),
      symbol: Symbol('tag'),
      nested: new SyntaxError('nested'),
    })
    Object.defineProperty(error, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter')
      },
    })

    const result = roundTrip(error) as WithFields
    expect(result.code).toBe(7)
    expect(result.handler).toBe('[uncloneable: function handler]')
    expect(result.element).toBe('[uncloneable: [object HTMLDivElement]]')
    expect(result.weak).toBe('[uncloneable: [object WeakMap]]')
    expect(result.symbol).toBe('[uncloneable: Symbol(tag)]')
    expect(result.bad).toBe('[uncloneable: property getter threw]')
    expect(result.nested).toBeInstanceOf(SyntaxError)
    expect((result.nested as Error).message).toBe('nested')
  })

  it('keeps an own __proto__ field an ordinary field on both sides', () => {
    const error = new Error('x')
    Object.defineProperty(error, '__proto__', { value: { polluted: true }, enumerable: true })
    const serialized = serializeError(error)
    expect(Object.hasOwn(serialized.props ?? {}, '__proto__')).toBe(true)
    expect((serialized.props as Record<string, unknown>).polluted).toBeUndefined()
    const result = deserializeError(structuredClone(serialized)) as WithFields
    expect(Object.getPrototypeOf(result)).toBe(Error.prototype)
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toEqual({ polluted: true })
  })

  it('describes an uncloneable cause', () => {
    class Connection {
      send(): void {}
      socket = { onmessage: () => {} }
    }
    expect(roundTrip(new Error('x', { cause: new Connection() })).cause).toBe(
      '[uncloneable: [object Connection]]',
    )
    const anonymous = [() => {}][0]
    expect(roundTrip(new Error('x', { cause: anonymous })).cause).toBe(
      '[uncloneable: function (anonymous)]',
    )
  })

  it('terminates on an error that is its own cause', () => {
    const error = new Error('loop')
    ;(error as { cause?: unknown }).cause = error
    const result = roundTrip(error)
    expect(result.message).toBe('loop')
    expect(result.cause).toBe('[uncloneable: circular reference to Error: loop]')
  })

  it('terminates on longer cycles through causes, errors and fields', () => {
    const a = new Error('a') as WithFields
    const b = new TypeError('b', { cause: a })
    a.cause = b
    const aggregate = new AggregateError([] as unknown[], 'agg') as AggregateError & WithFields
    aggregate.errors.push(aggregate, a)
    aggregate.self = aggregate

    const result = roundTrip(aggregate) as AggregateError & WithFields
    expect(result.errors[0]).toBe('[uncloneable: circular reference to AggregateError: agg]')
    expect(result.self).toBe('[uncloneable: circular reference to AggregateError: agg]')
    const ra = result.errors[1] as Error
    expect(ra.message).toBe('a')
    expect((ra.cause as Error).message).toBe('b')
    expect((ra.cause as Error).cause).toBe('[uncloneable: circular reference to Error: a]')
  })

  it(`keeps ${MAX_ERROR_DEPTH} levels of nested errors below the top one`, () => {
    let error = new Error('level 0')
    for (let i = 1; i <= 40; i++) error = new Error(`level ${i}`, { cause: error })

    let current: unknown = roundTrip(error)
    let levels = 0
    while (current instanceof Error) {
      levels++
      current = current.cause
    }
    expect(levels).toBe(MAX_ERROR_DEPTH + 1)
    expect(current).toBe(
      `[uncloneable: Error: level ${40 - MAX_ERROR_DEPTH - 1} (nested deeper than ${MAX_ERROR_DEPTH} errors)]`,
    )
  })
})

describe('serializeError with non-Error throws', () => {
  it('turns a thrown string into an Error carrying it as cause', () => {
    const serialized = serializeError('plain failure')
    expect(serialized).toEqual({
      name: 'Error',
      message: 'plain failure',
      stack: undefined,
      cause: { kind: 'value', value: 'plain failure' },
    })
    const result = roundTrip('plain failure')
    expect(Object.getPrototypeOf(result)).toBe(Error.prototype)
    expect(result.message).toBe('plain failure')
    expect(result.cause).toBe('plain failure')
    expect(result.stack).toBeUndefined()
  })

  it.each([
    [42, '42'],
    [false, 'false'],
    [10n, '10'],
    [null, 'null'],
    [undefined, 'undefined'],
  ])('uses String(%o) as the message', (value, message) => {
    const result = roundTrip(value)
    expect(result.message).toBe(message)
    expect(Object.hasOwn(result, 'cause')).toBe(true)
    expect(result.cause).toBe(value)
  })

  it('uses the message of an error-like object and keeps the object as cause', () => {
    const thrown = { message: 'from a library', status: 404 }
    const result = roundTrip(thrown)
    expect(result.name).toBe('Error')
    expect(result.message).toBe('from a library')
    expect(result.cause).toEqual(thrown)
  })

  it('uses a custom toString, or else names the object', () => {
    class Failure {
      toString(): string {
        return 'custom failure'
      }
    }
    expect(roundTrip(new Failure()).message).toBe('custom failure')
    class Opaque {}
    expect(roundTrip(new Opaque()).message).toBe('[object Opaque]')
    expect(roundTrip({ a: 1 }).message).toBe('[object Object]')
    expect(roundTrip(Object.create(null)).message).toBe('[object Object]')
  })

  it('describes uncloneable thrown values', () => {
    function oops(): void {}
    const fromFunction = roundTrip(oops)
    expect(fromFunction.message).toBe('function oops')
    expect(fromFunction.cause).toBe('[uncloneable: function oops]')

    const fromSymbol = roundTrip(Symbol('sym'))
    expect(fromSymbol.message).toBe('Symbol(sym)')
    expect(fromSymbol.cause).toBe('[uncloneable: Symbol(sym)]')

    const fromObject = roundTrip({ message: 'has a callback', callback: oops })
    expect(fromObject.message).toBe('has a callback')
    expect(fromObject.cause).toBe('[uncloneable: [object Object]]')
  })

  it('never throws, even for a revoked proxy', () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const serialized = serializeError(proxy)
    expect(serialized.name).toBe('Error')
    expect(typeof serialized.message).toBe('string')
    expect(() => structuredClone(serialized)).not.toThrow()
    expect(serializeValue(proxy).kind).toBe('uncloneable')
  })
})

describe('serializeValue', () => {
  it('passes cloneable values through unchanged', () => {
    const object = { list: [1, 2], when: new Date(0), map: new Map([[1, 'a']]) }
    const serialized = serializeValue(object)
    expect(serialized.kind).toBe('value')
    expect(serialized.kind === 'value' && serialized.value).toBe(object)
    for (const primitive of ['s', 0, true, 1n, null, undefined]) {
      expect(serializeValue(primitive)).toEqual({ kind: 'value', value: primitive })
    }
  })

  it('flattens errors', () => {
    const serialized = serializeValue(new TypeError('t'))
    expect(serialized.kind).toBe('error')
    expect(serialized.kind === 'error' && serialized.error.name).toBe('TypeError')
  })

  it('describes what cannot be cloned', () => {
    function named(): void {}
    expect(serializeValue(named)).toEqual({ kind: 'uncloneable', description: 'function named' })
    expect(serializeValue(Symbol('x'))).toEqual({ kind: 'uncloneable', description: 'Symbol(x)' })
    expect(serializeValue({ named })).toEqual({
      kind: 'uncloneable',
      description: '[object Object]',
    })
    expect(serializeValue(Promise.resolve())).toEqual({
      kind: 'uncloneable',
      description: '[object Promise]',
    })
  })
})

describe('deserializeError with hand-built input', () => {
  it('copies plain props as they are, and keeps __proto__ an ordinary field', () => {
    const props = JSON.parse('{"code": 5, "__proto__": {"polluted": true}}') as Record<
      string,
      unknown
    >
    const result = deserializeError({
      name: 'HttpError',
      message: 'not found',
      stack: undefined,
      props,
    }) as WithFields
    expect(result.code).toBe(5)
    expect(Object.getPrototypeOf(result)).toBe(Error.prototype)
    expect(Object.hasOwn(result, '__proto__')).toBe(true)
    expect(result.polluted).toBeUndefined()
    expect(result.stack).toBeUndefined()
  })

  it('does not let props override the dedicated fields', () => {
    const result = deserializeError({
      name: 'Error',
      message: 'real',
      stack: 'stack',
      props: { message: 'fake', stack: 'fake', extra: { kind: 'value', value: 1 } },
    }) as WithFields
    expect(result.message).toBe('real')
    expect(result.stack).toBe('stack')
    expect(result.extra).toBe(1)
  })

  it('terminates on a cyclic payload', () => {
    const serialized: SerializedError = { name: 'Error', message: 'cyclic', stack: undefined }
    serialized.cause = { kind: 'error', error: serialized }
    const result = deserializeError(structuredClone(serialized))
    expect(result.message).toBe('cyclic')
    expect(result.cause).toBe('[uncloneable: circular reference to Error]')
  })
})
