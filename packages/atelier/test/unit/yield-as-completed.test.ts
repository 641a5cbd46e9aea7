import { describe, expect, expectTypeOf, it } from 'vitest'
import { yieldAsCompleted } from '../../src/yield-as-completed.js'
import { collect, deferred, recordUnhandledRejections } from '../support/async.js'

/** A macrotask boundary: by then every queued microtask (and promise chain) has run. */
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

const unhandled = recordUnhandledRejections()

describe('yieldAsCompleted', () => {
  it('yields values in the order the promises settle, not the order given', async () => {
    const [a, b, c] = [deferred<string>(), deferred<string>(), deferred<string>()]
    const done = collect(yieldAsCompleted([a.promise, b.promise, c.promise]))
    c.resolve('C')
    await flush()
    a.resolve('A')
    await flush()
    b.resolve('B')
    expect(await done).toEqual(['C', 'A', 'B'])
  })

  it('keeps the real completion order when iteration starts after everything settled', async () => {
    const [a, b] = [deferred<string>(), deferred<string>()]
    const it = yieldAsCompleted([a.promise, b.promise])
    b.resolve('B')
    await flush()
    a.resolve('A')
    await flush()
    expect(await collect(it)).toEqual(['B', 'A'])
  })

  it('ends at once for an empty input', async () => {
    const it = yieldAsCompleted<number>([])
    expect(await it.next()).toEqual({ done: true, value: undefined })
  })

  it('accepts any iterable, and plain values as already settled', async () => {
    function* source() {
      yield Promise.resolve(1)
      yield 2
    }
    expect((await collect(yieldAsCompleted(source()))).sort()).toEqual([1, 2])
  })

  it('throws a rejection where it falls in completion order, and then ends', async () => {
    const [a, b, c] = [deferred<string>(), deferred<string>(), deferred<string>()]
    const it = yieldAsCompleted([a.promise, b.promise, c.promise])
    a.resolve('A')
    await flush()
    const boom = new Error('boom')
    b.reject(boom)
    await flush()
    c.resolve('C')
    expect(await it.next()).toEqual({ done: false, value: 'A' })
    await expect(it.next()).rejects.toBe(boom)
    expect(await it.next()).toEqual({ done: true, value: undefined })
  })

  it('leaves no unhandled rejection: before iterating, or after a rejection ended it', async () => {
    const [a, b] = [deferred<string>(), deferred<string>()]
    const it = yieldAsCompleted([a.promise, b.promise])
    const first = new Error('first')
    a.reject(first) // nobody is iterating yet
    await flush()
    await expect(it.next()).rejects.toBe(first)
    b.reject(new Error('second, after the end'))
    await flush()
    expect(unhandled.reasons).toEqual([])
  })

  it('break ends at once, waits for nothing, and leaves no unhandled rejection', async () => {
    const [a, b, c] = [deferred<string>(), deferred<string>(), deferred<string>()]
    const seen: string[] = []
    const consumer = (async () => {
      for await (const value of yieldAsCompleted([a.promise, b.promise, c.promise])) {
        seen.push(value)
        break
      }
      return 'left'
    })()
    b.resolve('B')
    // The consumer leaves while a and c are still pending: nothing keeps it waiting for them.
    expect(await consumer).toBe('left')
    expect(seen).toEqual(['B'])
    a.reject(new Error('after the break'))
    c.resolve('C')
    await flush()
    expect(unhandled.reasons).toEqual([])
  })

  it('throws a TypeError at call time for a non-iterable', () => {
    expect(() => yieldAsCompleted(42 as never)).toThrow(
      new TypeError('yieldAsCompleted: promises must be an Iterable, received 42'),
    )
    expect(() => yieldAsCompleted(null as never)).toThrow(TypeError)
  })

  it('has the model signature: an array of promises in, their values out', () => {
    const it = yieldAsCompleted([Promise.resolve(1), Promise.resolve(2)])
    expectTypeOf(it).toEqualTypeOf<AsyncGenerator<number, void, unknown>>()
    const mixed = yieldAsCompleted([Promise.resolve('a'), 'b'])
    expectTypeOf(mixed).toEqualTypeOf<AsyncGenerator<string, void, unknown>>()
  })
})
