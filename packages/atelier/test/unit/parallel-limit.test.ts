import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { AbortTaskController } from '../../src/abort-task-controller.js'
import { AbortError, TimeoutError } from '../../src/errors.js'
import {
  type ParallelLimitOptions,
  type ParallelLimitSettledOptions,
  type ParallelSettled,
  parallelLimit,
} from '../../src/parallel-limit.js'
import { collect, type Deferred, deferred, recordUnhandledRejections } from '../support/async.js'
import { mulberry32 } from '../support/random.js'

// Everything is driven by gates (deferred promises) and `flush`, which lets every pending
// microtask run: no test depends on how long anything takes.

/** A macrotask boundary: by then every queued microtask (and promise chain) has run. */
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** `fn` for parallelLimit whose call for `item` settles only when `gate(item)` is settled. */
function gatedTasks<T>() {
  const gates = new Map<T, Deferred<string>>()
  const gate = (item: T) => {
    let entry = gates.get(item)
    if (!entry) {
      entry = deferred<string>()
      gates.set(item, entry)
    }
    return entry
  }
  const stats = { started: [] as T[], indexes: [] as number[], active: 0, maxActive: 0 }
  const fn = async (item: T, index: number): Promise<string> => {
    stats.started.push(item)
    stats.indexes.push(index)
    stats.active++
    stats.maxActive = Math.max(stats.maxActive, stats.active)
    try {
      return await gate(item).promise
    } finally {
      stats.active--
    }
  }
  return { fn, gate, stats }
}

/** A sync source that counts the items pulled from it and whether it was closed before its end. */
function countingSource<T>(values: Iterable<T>) {
  const stats = { pulls: 0, exhausted: false, closed: false }
  function* generate() {
    try {
      for (const value of values) {
        stats.pulls++
        yield value
      }
      stats.exhausted = true
    } finally {
      stats.closed = true
    }
  }
  return { items: generate(), stats }
}

function* naturals() {
  for (let n = 0; ; n++) yield n
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a synchronous throw')
}

const unhandled = recordUnhandledRejections()

describe('parallelLimit: concurrency and order', () => {
  it('never runs more than `limit` calls at once, and does run `limit`', async () => {
    const { fn, gate, stats } = gatedTasks<number>()
    const done = collect(parallelLimit([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, fn))
    await flush()
    expect(stats.started).toEqual([0, 1, 2])
    const settled = new Set<number>()
    for (let step = 0; step < 10; step++) {
      await flush()
      expect(stats.active).toBeLessThanOrEqual(3)
      // Settle out of start order too: the newest running call first.
      const newest = stats.started.filter((item) => !settled.has(item)).at(-1)!
      settled.add(newest)
      gate(newest).resolve(`r${newest}`)
    }
    const results = await done
    expect(results.slice().sort()).toEqual(
      ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'].sort(),
    )
    expect(stats.maxActive).toBe(3)
    expect(stats.indexes).toEqual(stats.started)
  })

  it('yields in completion order, not input order', async () => {
    const { fn, gate } = gatedTasks<string>()
    const done = collect(parallelLimit(['a', 'b', 'c'], 3, fn))
    await flush()
    gate('c').resolve('C')
    await flush()
    gate('a').resolve('A')
    await flush()
    gate('b').resolve('B')
    expect(await done).toEqual(['C', 'A', 'B'])
  })

  it('passes each item its index in the source', async () => {
    const seen: [string, number][] = []
    const results = await collect(
      parallelLimit(['x', 'y', 'z'], 2, (item, index) => {
        seen.push([item, index])
        return item.toUpperCase()
      }),
    )
    expect(results).toEqual(['X', 'Y', 'Z'])
    expect(seen).toEqual([
      ['x', 0],
      ['y', 1],
      ['z', 2],
    ])
  })

  it('accepts plain (non-promise) results and an empty source', async () => {
    expect(await collect(parallelLimit([1, 2], 1, (n) => n * 10))).toEqual([10, 20])
    expect(await collect(parallelLimit([], 4, (n: number) => n))).toEqual([])
  })
})

describe('parallelLimit: lazy pulling', () => {
  it('pulls nothing before the first next()', async () => {
    const { items, stats } = countingSource([1, 2, 3])
    const fn = vi.fn(async (n: number) => n)
    parallelLimit(items, 2, fn)
    await flush()
    expect(stats.pulls).toBe(0)
    expect(fn).not.toHaveBeenCalled()
  })

  it('pulls an item only when a slot is free, and unconsumed results hold their slot', async () => {
    let pulls = 0
    function* source() {
      for (const n of naturals()) {
        pulls++
        yield n
      }
    }
    const { fn, gate, stats } = gatedTasks<number>()
    const it = parallelLimit(source(), 2, fn)

    const first = it.next()
    await flush()
    expect(pulls).toBe(2)
    expect(stats.started).toEqual([0, 1])

    gate(0).resolve('r0')
    expect(await first).toEqual({ done: false, value: 'r0' })
    await flush()
    expect(pulls).toBe(3) // 0's slot was refilled

    // The consumer is busy: finished results wait, and no new item is pulled meanwhile.
    gate(1).resolve('r1')
    gate(2).resolve('r2')
    await flush()
    expect(pulls).toBe(3)

    expect(await it.next()).toEqual({ done: false, value: 'r1' })
    await flush()
    expect(pulls).toBe(4)
    await it.return()
  })
})

describe('parallelLimit: async sources', () => {
  it('consumes an async iterable and yields results while the source is slow', async () => {
    const sourceGate = deferred<void>()
    async function* source() {
      yield 'a'
      await sourceGate.promise
      yield 'b'
    }
    const { fn, gate, stats } = gatedTasks<string>()
    const it = parallelLimit(source(), 2, fn)

    const first = it.next()
    await flush()
    expect(stats.started).toEqual(['a'])
    gate('a').resolve('A')
    expect(await first).toEqual({ done: false, value: 'A' }) // the source is still blocked

    sourceGate.resolve()
    await flush()
    expect(stats.started).toEqual(['a', 'b'])
    gate('b').resolve('B')
    expect(await it.next()).toEqual({ done: false, value: 'B' })
    expect(await it.next()).toEqual({ done: true, value: undefined })
  })

  it("throws the source's own error", async () => {
    const broken = new Error('source broke')
    async function* source() {
      yield 1
      throw broken
    }
    await expect(collect(parallelLimit(source(), 2, async (n) => n))).rejects.toBe(broken)
  })
})

describe('parallelLimit: errors', () => {
  it('fail-fast throws the first error, stops pulling and closes the source', async () => {
    const { items, stats: source } = countingSource([0, 1, 2, 3, 4, 5])
    const { fn, gate, stats } = gatedTasks<number>()
    const onError = vi.fn()
    const it = parallelLimit(items, 2, fn, { onError })

    const next = it.next()
    await flush()
    const boom = new Error('boom')
    gate(1).reject(boom)
    await expect(next).rejects.toBe(boom)
    expect(onError.mock.calls).toEqual([[boom, 1]])
    expect(source.pulls).toBe(2)
    expect(source.closed).toBe(true)
    expect(source.exhausted).toBe(false)

    // The call still in progress settles later: discarded, and its rejection is handled.
    gate(0).reject(new Error('late'))
    await flush()
    expect(stats.started).toEqual([0, 1])
    expect(onError).toHaveBeenCalledTimes(1)
    expect(unhandled.reasons).toEqual([])
    expect(await it.next()).toEqual({ done: true, value: undefined })
  })

  it('fail-fast throws promptly, ahead of results not yet yielded', async () => {
    const { fn, gate } = gatedTasks<number>()
    const it = parallelLimit([0, 1, 2, 3, 4], 3, fn)
    const first = it.next()
    await flush()
    gate(0).resolve('r0')
    expect(await first).toEqual({ done: false, value: 'r0' })
    gate(1).resolve('r1') // finished, but the consumer has not asked for it yet
    const boom = new Error('boom')
    gate(2).reject(boom)
    await flush()
    await expect(it.next()).rejects.toBe(boom)
  })

  it('fail-fast also covers a synchronous throw from fn', async () => {
    const boom = new Error('sync boom')
    const it = parallelLimit([1, 2, 3], 1, (n: number) => {
      if (n === 2) throw boom
      return n
    })
    await expect(collect(it)).rejects.toBe(boom)
  })

  it("'continue' reports each failure to onError and goes on", async () => {
    const errors = new Map([
      [1, new Error('one')],
      [3, new Error('three')],
    ])
    const onError = vi.fn()
    const results = await collect(
      parallelLimit(
        [0, 1, 2, 3, 4, 5],
        2,
        (n: number) => {
          const error = errors.get(n)
          if (n === 1 && error) throw error // synchronous
          if (error) return Promise.reject(error)
          return Promise.resolve(n * 10)
        },
        { errorPolicy: 'continue', onError },
      ),
    )
    expect(results.slice().sort((a, b) => a - b)).toEqual([0, 20, 40, 50])
    expect(onError.mock.calls).toEqual([
      [errors.get(1), 1],
      [errors.get(3), 3],
    ])
  })

  it('an onError that throws makes the iterator throw that', async () => {
    const fromCallback = new Error('from onError')
    const it = parallelLimit([1, 2], 1, () => Promise.reject(new Error('item')), {
      errorPolicy: 'continue',
      onError: () => {
        throw fromCallback
      },
    })
    await expect(collect(it)).rejects.toBe(fromCallback)
  })
})

describe('parallelLimit: returnSettled', () => {
  it('yields settled records and never throws for item errors', async () => {
    const boom = new Error('boom')
    const onError = vi.fn()
    const it = parallelLimit(
      [1, 2, 3],
      2,
      async (n: number) => {
        if (n === 2) throw boom
        return `v${n}`
      },
      { returnSettled: true, onError },
    )
    expectTypeOf(it).toEqualTypeOf<
      AsyncGenerator<ParallelSettled<number, string>, void, undefined>
    >()
    const records = await collect(it)
    expect(records.slice().sort((a, b) => a.item - b.item)).toEqual([
      { status: 'fulfilled', value: 'v1', item: 1 },
      { status: 'rejected', error: boom, item: 2 },
      { status: 'fulfilled', value: 'v3', item: 3 },
    ])
    expect(onError.mock.calls).toEqual([[boom, 2]])
  })

  it('is typed by overload: bare results without it', () => {
    const plain = parallelLimit([1], 1, async (n: number) => String(n))
    expectTypeOf(plain).toEqualTypeOf<AsyncGenerator<string, void, undefined>>()
    const explicit = parallelLimit([1], 1, (n: number) => n, { returnSettled: false })
    expectTypeOf(explicit).toEqualTypeOf<AsyncGenerator<number, void, undefined>>()
    const options: ParallelLimitOptions<number> = { errorPolicy: 'continue' }
    const typed = parallelLimit([1], 1, (n: number) => n, options)
    expectTypeOf(typed).toEqualTypeOf<AsyncGenerator<number, void, undefined>>()
    const chosen = parallelLimit([1], 1, (n: number) => n, { returnSettled: typed === plain })
    expectTypeOf(chosen).toEqualTypeOf<
      AsyncGenerator<number | ParallelSettled<number, number>, void, undefined>
    >()
  })
})

describe('parallelLimit: signal', () => {
  it('throws signal.reason when already aborted, without touching the source', async () => {
    const { items, stats } = countingSource([1, 2, 3])
    const fn = vi.fn(async (n: number) => n)
    const reason = new Error('stop')
    const it = parallelLimit(items, 2, fn, { signal: AbortSignal.abort(reason) })
    await expect(it.next()).rejects.toBe(reason)
    expect(stats.pulls).toBe(0)
    expect(fn).not.toHaveBeenCalled()
  })

  it('throws signal.reason at once when aborted mid-run, and stops pulling', async () => {
    const { items, stats: source } = countingSource([0, 1, 2, 3, 4])
    const { fn, gate, stats } = gatedTasks<number>()
    const controller = new AbortController()
    const it = parallelLimit(items, 2, fn, { signal: controller.signal })

    const next = it.next()
    await flush()
    const reason = new Error('stop')
    controller.abort(reason) // no call has settled
    await expect(next).rejects.toBe(reason)
    expect(source.closed).toBe(true)

    gate(0).resolve('r0')
    gate(1).reject(new Error('late'))
    await flush()
    expect(stats.started).toEqual([0, 1])
    expect(source.pulls).toBe(2)
    expect(unhandled.reasons).toEqual([])
  })

  it('interrupts a pull the source is stuck in, then closes it without running its item', async () => {
    const release = deferred<void>()
    let closed = false
    async function* stuck() {
      try {
        await release.promise
        yield 1
        yield 2
      } finally {
        closed = true
      }
    }
    const fn = vi.fn(async (n: number) => n)
    const controller = new AbortController()
    const it = parallelLimit(stuck(), 2, fn, { signal: controller.signal })
    const next = it.next()
    await flush()
    const reason = new Error('stop')
    controller.abort(reason)
    await expect(next).rejects.toBe(reason)

    release.resolve() // the pull in flight now delivers item 1, after the consumer left
    await flush()
    expect(fn).not.toHaveBeenCalled()
    expect(closed).toBe(true)
    expect(unhandled.reasons).toEqual([])
  })
})

describe('parallelLimit: cancellation options (the rule of @varunkanwar/atelier)', () => {
  it('skips aborted keys when pulled, drops values of keys aborted meanwhile, and reports their AbortErrors only to onError', async () => {
    const keys = new AbortTaskController()
    keys.abort('b')
    const { fn, gate, stats } = gatedTasks<string>()
    const onError = vi.fn()
    const done = collect(
      parallelLimit(['a', 'b', 'c', 'd'], 4, fn, {
        abortTaskController: keys,
        keyOf: (item) => item,
        onError,
      }),
    )
    await flush()
    expect(stats.started).toEqual(['a', 'c', 'd']) // fn never called for 'b'
    expect(stats.indexes).toEqual([0, 2, 3])

    keys.abort('c')
    const cAborted = new AbortError('c was aborted')
    gate('c').reject(cAborted)
    keys.abort('d')
    gate('d').resolve('D')
    await flush()
    gate('a').resolve('A')

    expect(await done).toEqual(['A'])
    expect(onError.mock.calls).toEqual([[cAborted, 'c']])
  })

  it('skips any failure of an item whose key is aborted, not only AbortErrors', async () => {
    const keys = new AbortTaskController()
    const { fn, gate } = gatedTasks<string>()
    const onError = vi.fn()
    const done = collect(
      parallelLimit(['a', 'b'], 2, fn, { abortTaskController: keys, keyOf: (i) => i, onError }),
    )
    await flush()
    keys.abort('a')
    const late = new TypeError('failed while being cancelled')
    gate('a').reject(late)
    await flush()
    gate('b').resolve('B')
    expect(await done).toEqual(['B'])
    expect(onError.mock.calls).toEqual([[late, 'a']])
  })

  it.each([
    [
      'abortTaskController without keyOf',
      () => ({ abortTaskController: new AbortTaskController() }),
    ],
    ['a signal alone', () => ({ signal: new AbortController().signal })],
  ])('an AbortError is not fatal with %s', async (_name, options) => {
    const cancelled = new DOMException('this call was cancelled', 'AbortError')
    const fromOurClass = new AbortError('so was this one')
    const onError = vi.fn()
    const results = await collect(
      parallelLimit(
        [1, 2, 3, 4],
        2,
        (n: number) => {
          if (n === 2) return Promise.reject(cancelled)
          if (n === 3) return Promise.reject(fromOurClass)
          return Promise.resolve(n * 10)
        },
        { ...options(), onError },
      ),
    )
    expect(results.slice().sort((a, b) => a - b)).toEqual([10, 40])
    expect(onError.mock.calls).toEqual([
      [cancelled, 2],
      [fromOurClass, 3],
    ])
  })

  it('without cancellation options an AbortError is an ordinary failure', async () => {
    const cancelled = new AbortError('cancelled')
    const it = parallelLimit(['a'], 1, () => Promise.reject(cancelled), { keyOf: (i) => i })
    await expect(collect(it)).rejects.toBe(cancelled)
  })

  it('a TimeoutError stays a failure with cancellation options', async () => {
    const timedOut = new TimeoutError(100)
    const it = parallelLimit(['a'], 1, () => Promise.reject(timedOut), {
      abortTaskController: new AbortTaskController(),
    })
    await expect(collect(it)).rejects.toBe(timedOut)
  })

  it('an AbortError-named value that is not an object is an ordinary failure', async () => {
    const it = parallelLimit(['a'], 1, () => Promise.reject('AbortError'), {
      signal: new AbortController().signal,
    })
    await expect(collect(it)).rejects.toBe('AbortError')
  })

  it("a key of '' or undefined is no key: aborting '' skips nothing", async () => {
    const keys = new AbortTaskController()
    keys.abort('')
    const results = await collect(
      parallelLimit(['x', 'y'], 2, async (item) => item.toUpperCase(), {
        abortTaskController: keys,
        keyOf: (item) => (item === 'x' ? '' : undefined),
      }),
    )
    expect(results.slice().sort()).toEqual(['X', 'Y'])
  })

  it('a failure skipped for its aborted key is thrown if the key was cleared before it was read', async () => {
    const keys = new AbortTaskController()
    const { fn, gate } = gatedTasks<string>()
    const it = parallelLimit(['a', 'b'], 2, fn, { abortTaskController: keys, keyOf: (i) => i })
    const first = it.next()
    await flush()
    gate('b').resolve('B')
    expect(await first).toEqual({ done: false, value: 'B' })
    keys.abort('a')
    const bug = new TypeError('bug')
    gate('a').reject(bug) // queued while 'a' is aborted, not yet read
    await flush()
    keys.clear('a')
    await expect(it.next()).rejects.toBe(bug)
  })

  it('returnSettled yields every started item, cancelled ones included', async () => {
    const keys = new AbortTaskController()
    const { fn, gate } = gatedTasks<string>()
    const onError = vi.fn()
    const done = collect(
      parallelLimit(['a', 'b', 'c'], 3, fn, {
        abortTaskController: keys,
        keyOf: (item) => item,
        returnSettled: true,
        onError,
      }),
    )
    await flush()
    keys.abort('b')
    keys.abort('c')
    const bAborted = new AbortError('b')
    gate('b').reject(bAborted)
    await flush()
    gate('c').resolve('C')
    await flush()
    gate('a').resolve('A')
    expect(await done).toEqual([
      { status: 'rejected', error: bAborted, item: 'b' },
      { status: 'fulfilled', value: 'C', item: 'c' },
      { status: 'fulfilled', value: 'A', item: 'a' },
    ])
    expect(onError.mock.calls).toEqual([[bAborted, 'b']])
  })

  it('accepts the settled options type of the model', async () => {
    const options: ParallelLimitSettledOptions<number> = {
      returnSettled: true,
      signal: new AbortController().signal,
    }
    const records = await collect(parallelLimit([1], 1, async (n: number) => n + 1, options))
    expectTypeOf(records).toEqualTypeOf<ParallelSettled<number, number>[]>()
    expect(records).toEqual([{ status: 'fulfilled', value: 2, item: 1 }])
  })
})

describe('parallelLimit: leaving early', () => {
  it('break stops pulling, closes the source and leaves no unhandled rejection', async () => {
    const { items, stats: source } = countingSource([0, 1, 2, 3, 4, 5])
    const { fn, gate, stats } = gatedTasks<number>()
    const seen: string[] = []
    const consumer = (async () => {
      for await (const result of parallelLimit(items, 2, fn)) {
        seen.push(result)
        break
      }
    })()
    await flush()
    gate(0).resolve('r0')
    await consumer
    expect(seen).toEqual(['r0'])
    expect(source.closed).toBe(true)
    expect(source.exhausted).toBe(false)
    const pulled = source.pulls

    gate(1).reject(new Error('after the consumer left'))
    await flush()
    expect(source.pulls).toBe(pulled)
    expect(stats.started.length).toBe(pulled)
    expect(unhandled.reasons).toEqual([])
  })

  it('return() waits for an async source to finish closing', async () => {
    const cleanup = deferred<void>()
    let closed = false
    async function* source() {
      try {
        for (const n of naturals()) yield n
      } finally {
        await cleanup.promise
        closed = true
      }
    }
    const it = parallelLimit(source(), 2, async (n: number) => n)
    expect(await it.next()).toEqual({ done: false, value: 0 })
    let returned = false
    const leaving = it.return().then(() => {
      returned = true
    })
    await flush()
    expect(returned).toBe(false)
    cleanup.resolve()
    await leaving
    expect(closed).toBe(true)
  })

  it("surfaces the source's closing error on break, but not over an error being thrown", async () => {
    const closing = new Error('close failed')
    function* source() {
      try {
        yield* [1, 2, 3]
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: a source whose cleanup fails
        throw closing
      }
    }
    const leaving = parallelLimit(source(), 1, async (n: number) => n)
    expect(await leaving.next()).toEqual({ done: false, value: 1 })
    await expect(leaving.return()).rejects.toBe(closing)

    const boom = new Error('boom')
    const failing = parallelLimit(source(), 1, () => Promise.reject(boom))
    await expect(failing.next()).rejects.toBe(boom)
  })
})

describe('parallelLimit: validation at call time', () => {
  const fn = (n: number) => n

  it.each([
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['2', '"2"'],
  ])('rejects limit %s with a RangeError naming it', (limit, shown) => {
    const error = thrownBy(() => parallelLimit([1], limit as number, fn))
    expect(error).toBeInstanceOf(RangeError)
    expect((error as Error).message).toBe(
      `parallelLimit: limit must be a positive integer, received ${shown}`,
    )
  })

  it.each([
    ['fn', () => parallelLimit([1], 1, 'nope' as never), 'fn must be a function, received "nope"'],
    [
      'items',
      () => parallelLimit(42 as never, 1, fn),
      'items must be an Iterable or AsyncIterable, received 42',
    ],
    [
      'items (null)',
      () => parallelLimit(null as never, 1, fn),
      'items must be an Iterable or AsyncIterable, received null',
    ],
    [
      'errorPolicy',
      () => parallelLimit([1], 1, fn, { errorPolicy: 'ignore' as never }),
      'errorPolicy must be "fail-fast" or "continue", received "ignore"',
    ],
    [
      'onError',
      () => parallelLimit([1], 1, fn, { onError: {} as never }),
      'onError must be a function, received an object',
    ],
    [
      'keyOf',
      () => parallelLimit([1], 1, fn, { keyOf: 'id' as never }),
      'keyOf must be a function, received "id"',
    ],
    [
      'abortTaskController',
      () => parallelLimit([1], 1, fn, { abortTaskController: new AbortController() as never }),
      'abortTaskController must be an AbortTaskController, received an object',
    ],
    [
      'signal',
      () => parallelLimit([1], 1, fn, { signal: { aborted: false } as never }),
      'signal must be an AbortSignal, received an object',
    ],
    [
      'returnSettled',
      () => parallelLimit([1], 1, fn, { returnSettled: 'yes' } as never),
      'returnSettled must be a boolean, received "yes"',
    ],
    [
      'options',
      () => parallelLimit([1], 1, fn, null as never),
      'options must be an object, received null',
    ],
  ])('rejects a bad %s with a TypeError naming it', (_name, call, message) => {
    const error = thrownBy(call)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toBe(`parallelLimit: ${message}`)
  })
})

describe('parallelLimit: options are read once, at the call', () => {
  const fn = (n: number) => n

  it('refuses an option it does not know, suggesting the one meant', () => {
    const error = thrownBy(() => parallelLimit([1], 1, fn, { errorPolicey: 'continue' } as never))
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(
      /^parallelLimit has no option "errorPolicey"; did you mean "errorPolicy"\?/,
    )
  })

  it('names an option whose getter throws, and never reads a getter again', async () => {
    const broken = {
      get onError(): never {
        throw new Error('no')
      },
    }
    expect((thrownBy(() => parallelLimit([1], 1, fn, broken as never)) as Error).message).toBe(
      'parallelLimit: reading onError threw: Error: no',
    )
    let reads = 0
    const counted = {
      get errorPolicy() {
        reads++
        return 'continue' as const
      },
    }
    expect(await collect(parallelLimit([1, 2, 3], 2, fn, counted))).toHaveLength(3)
    expect(reads).toBe(1)
  })
})

/**
 * The class behind every hang parallelLimit has had: a value of the caller's (a source's step, a
 * rejection's `name`, a controller's `isAborted`) read in a promise's callback, where a throw was
 * unhandled and the loop waited for a wake-up that never came. Seeded: a failure names its seed,
 * and `VITE_FUZZ_SEED` reruns it.
 */
describe('parallelLimit: hostile sources, rejections and controllers (seeded)', () => {
  const envSeed = (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_FUZZ_SEED
  const baseSeed =
    envSeed === 'random' ? (Math.random() * 2 ** 32) >>> 0 : Number(envSeed ?? 0x5eed) >>> 0
  const ROUNDS = 300

  it(`ends every run with a value or an error, never an unhandled one (seed ${baseSeed}, ${ROUNDS} runs)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const seed = (baseSeed + round) >>> 0
      const random = mulberry32(seed)
      const pick = <X>(xs: readonly X[]): X => xs[Math.floor(random() * xs.length)]!
      const run = hostileRun(random, pick)
      const outcome = await Promise.race([
        run.consume().then(
          (values) => ({ ended: 'values' as const, values }),
          (error: unknown) => ({ ended: 'error' as const, error }),
        ),
        flushMany(50).then(() => ({ ended: 'hung' as const })),
      ])
      expect(outcome.ended, `seed ${seed}: ${run.describe()}`).not.toBe('hung')
      if (outcome.ended === 'values') {
        // Only items the source gave, each at most once.
        for (const value of outcome.values) expect(run.given.has(value as number)).toBe(true)
        expect(new Set(outcome.values).size, `seed ${seed}`).toBe(outcome.values.length)
      }
      await flush()
      expect(unhandled.reasons, `seed ${seed}: ${run.describe()}`).toEqual([])
    }
  })
})

/** A macrotask boundary `times` over: long enough for any run here that is not stuck. */
async function flushMany(times: number): Promise<void> {
  for (let i = 0; i < times; i++) await flush()
}

const HOSTILE_VALUES: ReadonlyArray<() => unknown> = [
  () => new Error('item failed'),
  () => new AbortError(),
  () => ({
    get name(): never {
      throw new Error('name getter')
    },
  }),
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    return proxy
  },
  () => undefined,
  () => 'a string',
]

/** One run: a source, a mapper, options and a consumer, each drawn at random, some hostile. */
function hostileRun(random: () => number, pick: <X>(xs: readonly X[]) => X) {
  const length = Math.floor(random() * 8)
  const given = new Set<number>()
  const steps: string[] = []
  const badStepAt = random() < 0.4 ? Math.floor(random() * (length + 1)) : -1
  const badStep = pick([
    'null',
    'number',
    'done getter',
    'value getter',
    'next throws',
    'next rejects',
  ])
  const closing = pick(['none', 'returns', 'throws'])
  const async = random() < 0.5
  let position = 0
  const next = (): unknown => {
    const at = position++
    if (at === badStepAt) {
      switch (badStep) {
        case 'null':
          return null
        case 'number':
          return 7
        case 'done getter':
          return {
            get done(): never {
              throw new Error('done getter')
            },
          }
        case 'value getter':
          return {
            done: false,
            get value(): never {
              throw new Error('value getter')
            },
          }
        case 'next throws':
          throw new Error('next threw')
        default:
          return Promise.reject(new Error('next rejected'))
      }
    }
    if (at >= length) return { done: true, value: undefined }
    given.add(at)
    return { done: false, value: at }
  }
  const iterator: Record<string, unknown> = {
    next: async ? () => Promise.resolve().then(next) : next,
  }
  if (closing === 'returns') iterator.return = () => ({ done: true, value: undefined })
  if (closing === 'throws') {
    iterator.return = () => {
      throw new Error('return threw')
    }
  }
  const items = (async
    ? { [Symbol.asyncIterator]: () => iterator }
    : { [Symbol.iterator]: () => iterator }) as unknown as Iterable<number>

  const failures = new Map<number, () => unknown>()
  for (let i = 0; i < length; i++) if (random() < 0.3) failures.set(i, pick(HOSTILE_VALUES))
  const delays = Array.from({ length }, () => Math.floor(random() * 3))
  const fn = async (n: number) => {
    for (let i = 0; i < delays[n]!; i++) await flush()
    const failure = failures.get(n)
    if (failure) throw failure()
    return n
  }

  const controller = new AbortController()
  const abortAfter = random() < 0.25 ? Math.floor(random() * 4) : -1
  const keysKind = pick(['none', 'real', 'throws'])
  const keys =
    keysKind === 'real'
      ? new AbortTaskController()
      : keysKind === 'throws'
        ? ({
            isAborted() {
              throw new Error('isAborted threw')
            },
          } as unknown as AbortTaskController)
        : undefined
  if (keys instanceof AbortTaskController && random() < 0.5) keys.abort(String(pick([0, 1, 2])))
  const options: ParallelLimitOptions<number> = {
    errorPolicy: pick(['fail-fast', 'continue'] as const),
    ...(random() < 0.5 ? { signal: controller.signal } : {}),
    ...(keys ? { abortTaskController: keys, keyOf: (n: number) => String(n) } : {}),
  }
  const limit = 1 + Math.floor(random() * 3)
  const leaveAfter = random() < 0.3 ? Math.floor(random() * 3) : -1

  return {
    given,
    describe: () =>
      JSON.stringify({
        length,
        badStepAt,
        badStep,
        closing,
        async,
        keysKind,
        limit,
        leaveAfter,
        abortAfter,
        steps,
      }),
    async consume(): Promise<unknown[]> {
      const values: unknown[] = []
      for await (const value of parallelLimit(items, limit, fn, options)) {
        values.push(value)
        steps.push(`yield ${String(value)}`)
        if (values.length === abortAfter) controller.abort(new Error('caller aborted'))
        if (values.length === leaveAfter) break
      }
      return values
    },
  }
}
