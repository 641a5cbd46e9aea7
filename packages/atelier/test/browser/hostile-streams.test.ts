/**
 * Hostile inputs on the streaming, progress and priority paths, with real module workers: chunks
 * and progress values that cannot be sent, signals whose `priority` getter throws or lies,
 * progress listeners that throw, `dispose()` and new calls from inside a listener or a stream
 * loop, and generators that close their worker. Whatever happens: the bad call fails alone with
 * an error that names what was wrong, every other call settles as it would have, nothing throws
 * synchronously or hangs (each wait is bounded), and the task's bookkeeping ends empty.
 */
import { afterEach, describe, expect, test } from 'vitest'
import {
  createTaskRuntime,
  type Task,
  type TaskConfig,
  TaskDisposedError,
  type TaskRuntime,
  WorkerCrashedError,
} from '../../src/index'
import { expectDrained } from '../support/drained'
import { gate, release, started } from './fixtures/harness'
import { expectNoPageErrors, sleep, until } from './fixtures/hostile-define'
import type { BadValue, HostileStreamAPI } from './fixtures/hostile-stream.worker'
import { TaskController } from './fixtures/task-controller'

expectNoPageErrors()

const BAD_VALUES: readonly BadValue[] = ['getter', 'function', 'symbol']
/** How long anything here may take to settle before the test calls it a hang. */
const BOUND_MS = 4000

const tasks: Array<Task<HostileStreamAPI>> = []
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((task) => task.dispose()))
})

/** A singleton on the hostile stream worker; its Workers are named by spawn count ("0", "1"…). */
function defineStreams(
  config: Partial<TaskConfig<HostileStreamAPI>> = {},
  runtime: TaskRuntime = createTaskRuntime(),
) {
  let spawned = 0
  const task = runtime.defineTask<HostileStreamAPI>({
    type: 'singleton',
    worker: () =>
      new Worker(new URL('./fixtures/hostile-stream.worker.ts', import.meta.url), {
        type: 'module',
        name: String(spawned++),
      }),
    ...config,
  })
  tasks.push(task)
  return { task, runtime, spawned: () => spawned }
}

/** `promise`, or a failure saying it hung if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, what: string, ms = BOUND_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
  })
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer))
}

/** Every chunk the loop received, then the error it threw, if any. */
async function readAll<T>(stream: AsyncIterable<T>): Promise<{ chunks: T[]; error?: any }> {
  const chunks: T[] = []
  try {
    for await (const chunk of stream) chunks.push(chunk)
    return { chunks }
  } catch (error) {
    return { chunks, error }
  }
}

/** Settles into a value or an error, for assertions. */
function outcome<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: any }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
}

/** Once nothing is in flight (a cancelled call waits for its worker), the task holds nothing. */
async function expectSettledDown(task: Task<HostileStreamAPI>): Promise<void> {
  await until(() => task.getState().queueDepth === 0, BOUND_MS, 'an empty queue')
  expectDrained(task)
}

/** Replaces `reportError` for the test, recording what reached it. */
function stubReportError() {
  const host = globalThis as { reportError?: (error: unknown) => void }
  const original = host.reportError
  const reported: unknown[] = []
  host.reportError = (error: unknown) => reported.push(error)
  return {
    reported,
    restore: () => {
      host.reportError = original
    },
  }
}

/**
 * A singleton held busy by a gated call, one call at a time, so that later calls queue behind it
 * and run in the order the queue picks. `order` is the order they finished in.
 */
async function busySingleton(config: Partial<TaskConfig<HostileStreamAPI>> = {}) {
  const defined = defineStreams({ maxInFlight: 1, maxQueueDepth: 64, ...config })
  const g = gate('busy')
  const first = defined.task.hold(g)
  await started(g)
  const order: string[] = []
  const finished = <T>(label: string, promise: Promise<T>): Promise<T> =>
    promise.then((value) => {
      order.push(label)
      return value
    })
  const free = async () => {
    release(g, 'free')
    await first
  }
  return { ...defined, order, finished, free }
}

describe('a chunk that cannot be sent', () => {
  const methods = ['badChunkAfter', 'badChunkAfterSync'] as const
  const cases = methods.flatMap((method) =>
    BAD_VALUES.flatMap((kind) => [0, 3].map((good) => [method, kind, good] as const)),
  )

  test.each(cases)(
    '%s, a %s chunk after %i good ones: the good ones in order, then a TypeError naming the chunk and the method',
    async (method, kind, good) => {
      const { task } = defineStreams()
      const { chunks, error } = await within(readAll(task[method](kind, good)), 'the stream')
      expect(chunks).toEqual([...Array(good).keys()])
      expect(error).toBeInstanceOf(TypeError)
      expect(error.message).toMatch(new RegExp(`^Chunk ${good} of "${method}" could not be `))
      if (kind === 'getter') expect(error.message).toMatch(/getter exploded/)
      // The worker lives on: the same one answers the next call.
      expect(await task.whoami()).toBe('0')
      await expectSettledDown(task)
    },
  )

  test('bad streams beside good streams and calls on the same worker: each fails alone', async () => {
    const { task } = defineStreams({ maxInFlight: 16, maxQueueDepth: 64 })
    await task.startWorkers()
    // A good stream that runs throughout, read by a loop, and plain calls made meanwhile.
    const good = readAll(task.slowCount(40, 2))
    const awaitedGood = task.slowCount(10, 1)
    const echoes = [...Array(10).keys()].map((i) => task.echo(i))
    // Every kind of bad chunk, first and after three good ones, iterated and awaited.
    const bad = BAD_VALUES.flatMap((kind) =>
      [0, 3].map((k) => ({ kind, k, read: readAll(task.badChunkAfter(kind, k)) })),
    )
    const awaitedBad = BAD_VALUES.map((kind) => outcome(task.badChunkAfter(kind, 2)))
    const moreEchoes = [...Array(10).keys()].map((i) => task.echo(`late ${i}`))

    for (const { kind, k, read } of bad) {
      const { chunks, error } = await within(read, `the ${kind} stream`)
      expect(chunks, kind).toEqual([...Array(k).keys()])
      expect(error, kind).toBeInstanceOf(TypeError)
      expect(error.message, kind).toMatch(new RegExp(`^Chunk ${k} of "badChunkAfter"`))
    }
    for (const result of await within(Promise.all(awaitedBad), 'the awaited bad streams')) {
      expect(result.ok).toBe(false)
      expect(!result.ok && result.error).toBeInstanceOf(TypeError)
      expect(!result.ok && result.error.message).toMatch(/^Chunk 2 of "badChunkAfter"/)
    }
    const goodResult = await within(good, 'the good stream')
    expect(goodResult.error).toBeUndefined()
    expect(goodResult.chunks).toEqual([...Array(40).keys()].map((i) => `${i}@0`))
    expect(await within(awaitedGood, 'the awaited good stream')).toEqual(
      [...Array(10).keys()].map((i) => `${i}@0`),
    )
    expect(await Promise.all(echoes)).toEqual([...Array(10).keys()])
    expect(await Promise.all(moreEchoes)).toEqual([...Array(10).keys()].map((i) => `late ${i}`))
    await expectSettledDown(task)
  })
})

describe('a progress value that cannot be cloned', () => {
  const cases = BAD_VALUES.flatMap((kind) => [false, true].map((goodFirst) => [kind, goodFirst]))

  test.each(cases as Array<[BadValue, boolean]>)(
    'a %s (after a good value: %s) throws a TypeError at ctx.progress; the handler catches it and returns',
    async (kind, goodFirst) => {
      const { task } = defineStreams()
      const seen: unknown[] = []
      const caught = await within(
        task.with({ onProgress: (value) => seen.push(value) }).badProgress(kind, goodFirst),
        'the call',
      )
      expect(caught).toMatchObject({ isTypeError: true, name: 'TypeError' })
      const { message } = caught as { message: string }
      expect(message).toMatch(/^ctx\.progress\(\) could not send its value/)
      if (kind === 'getter') expect(message).toMatch(/getter exploded/)
      // The bad value never reached the listener; the values around it did.
      expect(seen).toEqual(goodFirst ? ['before', 'after'] : ['after'])
      await expectSettledDown(task)
    },
  )

  test.each(BAD_VALUES)(
    'a %s not caught fails that call alone with the TypeError; the worker lives',
    async (kind) => {
      const { task, spawned } = defineStreams({ maxInFlight: 4 })
      const beside = task.slowCount(5, 2)
      const result = await within(
        outcome(task.with({ onProgress: () => {} }).badProgressUncaught(kind)),
        'the call',
      )
      expect(result.ok).toBe(false)
      expect(!result.ok && result.error).toBeInstanceOf(TypeError)
      expect(!result.ok && result.error.message).toMatch(/^ctx\.progress\(\) could not send/)
      expect(await beside).toEqual([...Array(5).keys()].map((i) => `${i}@0`))
      expect(await task.whoami()).toBe('0')
      expect(spawned()).toBe(1)
      await expectSettledDown(task)
    },
  )

  test.each(BAD_VALUES)('a %s reported by a generator throws there too', async (kind) => {
    const { task } = defineStreams()
    const { chunks, error } = await within(
      readAll(task.with({ onProgress: () => {} }).badProgressInStream(kind)),
      'the stream',
    )
    expect(error).toBeUndefined()
    expect(chunks).toHaveLength(3)
    expect(chunks[0]).toBe('first')
    expect(chunks[1]).toMatchObject({
      isTypeError: true,
      message: expect.stringMatching(/^ctx\.progress\(\) could not send its value/),
    })
    expect(chunks[2]).toBe('last')
    await expectSettledDown(task)
  })
})

describe('a signal with a hostile priority', () => {
  test('a real TaskSignal orders a stream by its priority, and aborting it cancels', async () => {
    const { task, order, finished, free } = await busySingleton()
    const controller = new TaskController({ priority: 'background' })
    const stream = finished('signalled', task.with({ signal: controller.signal }).slowCount(3, 0))
    const plain = finished('plain', task.echo('plain'))
    expect(task.getState().pendingByPriority).toMatchObject({ background: 1, 'user-visible': 1 })
    await free()
    expect(await within(stream, 'the signalled stream')).toEqual(['0@0', '1@0', '2@0'])
    await plain
    expect(order).toEqual(['plain', 'signalled'])

    const aborting = new TaskController({ priority: 'user-blocking' })
    const reason = new Error('no longer needed')
    const endless = task.with({ signal: aborting.signal }).endless()
    const seen: number[] = []
    const read = (async () => {
      for await (const chunk of endless) {
        seen.push(chunk)
        if (chunk === 3) aborting.abort(reason)
      }
    })()
    expect(await within(outcome(read), 'the aborted stream')).toEqual({ ok: false, error: reason })
    expect(seen.slice(0, 4)).toEqual([0, 1, 2, 3])
    await expectSettledDown(task)
  })

  const throwing = (signal: AbortSignal) => {
    let reads = 0
    Object.defineProperty(signal, 'priority', {
      configurable: true,
      get() {
        reads++
        throw new Error('priority getter exploded')
      },
    })
    return { signal, reads: () => reads }
  }
  const signals = {
    'an AbortSignal': () => new AbortController(),
    'a TaskSignal': () => new TaskController({ priority: 'background' }),
  }

  test.each(Object.keys(signals) as Array<keyof typeof signals>)(
    '%s whose priority getter throws: the call runs at the default priority, and aborting it still cancels',
    async (name) => {
      const { task, order, finished, free } = await busySingleton()
      const controller = signals[name]()
      const { signal, reads } = throwing(controller.signal)
      let hostile: Promise<string[]> | undefined
      expect(() => {
        hostile = finished('hostile', task.with({ signal }).slowCount(2, 0))
      }).not.toThrow()
      const calls = [
        finished('background', task.with({ priority: 'background' }).echo(1)),
        hostile!,
        finished('user-visible', task.echo(2)),
        finished('user-blocking', task.with({ priority: 'user-blocking' }).echo(3)),
      ]
      expect(reads()).toBeGreaterThan(0)
      expect(task.getState().pendingByPriority).toEqual({
        'user-blocking': 1,
        'user-visible': 2,
        background: 1,
      })
      await free()
      await within(Promise.all(calls), 'the queued calls')
      expect(await hostile).toEqual(['0@0', '1@0'])
      expect(order).toEqual(['user-blocking', 'hostile', 'user-visible', 'background'])

      // The same signal still cancels: a queued call at once, a running stream mid-way.
      const g = gate('busy-again')
      const busy = task.hold(g)
      await started(g)
      const queued = outcome(task.with({ signal }).echo('never runs'))
      const reason = new Error('cancelled by the hostile signal')
      controller.abort(reason)
      expect(await within(queued, 'the queued call')).toEqual({ ok: false, error: reason })
      release(g, 'done')
      expect(await busy).toBe('done')

      const second = signals[name]()
      const reason2 = new Error('stop streaming')
      const seen: number[] = []
      const read = (async () => {
        for await (const chunk of task.with({ signal: throwing(second.signal).signal }).endless()) {
          seen.push(chunk)
          if (chunk === 2) second.abort(reason2)
        }
      })()
      expect(await within(outcome(read), 'the streaming call')).toEqual({
        ok: false,
        error: reason2,
      })
      expect(seen.slice(0, 3)).toEqual([0, 1, 2])
      await expectSettledDown(task)
    },
  )

  test('a hand-made object that only looks like a signal is refused by with(), naming the option', async () => {
    const { task } = defineStreams()
    let reads = 0
    const lookalike = {
      aborted: false,
      reason: undefined,
      addEventListener() {},
      removeEventListener() {},
      get priority(): never {
        reads++
        throw new Error('priority getter exploded')
      },
    }
    expect(() => task.with({ signal: lookalike as unknown as AbortSignal })).toThrow(
      /^with\(\): signal must be an AbortSignal/,
    )
    // Refused on the platform's brand check, before anything read its priority.
    expect(reads).toBe(0)
    expect(await task.echo('still fine')).toBe('still fine')
    await expectSettledDown(task)
  })

  /**
   * A real AbortSignal that says it has a priority (so the runtime follows it, as a TaskSignal)
   * and then, when it announces a change, has a getter that throws or a value that is no
   * priority.
   */
  function changing(then: 'throws' | 'not a priority') {
    const controller = new AbortController()
    let changed = false
    Object.defineProperty(controller.signal, 'priority', {
      configurable: true,
      get() {
        if (!changed) return 'background'
        if (then === 'throws') throw new Error('priority getter exploded')
        return 'urgent'
      },
    })
    const change = () => {
      changed = true
      controller.signal.dispatchEvent(new Event('prioritychange'))
    }
    return { controller, change }
  }

  // Both fail until the runtime guards this path: its `prioritychange` listener reads
  // the priority unguarded (signal-watch.ts), so a throwing getter escapes as a page error; and a
  // value that is no priority becomes level -1, which the queue cannot hold (the call leaves the
  // queue, is never dispatched, and not even dispose() settles it).
  test.each(['throws', 'not a priority'] as const)(
    'a signal whose priority, on a prioritychange, %s: the call keeps its place and settles',
    async (then) => {
      const { task, order, finished, free } = await busySingleton()
      const { controller, change } = changing(then)
      const hostile = finished('hostile', task.with({ signal: controller.signal }).slowCount(2, 0))
      const plain = finished('plain', task.echo('plain'))
      expect(task.getState().pendingByPriority.background).toBe(1)
      // The event goes to the runtime's listener: whatever the getter does, nothing escapes it.
      expect(change).not.toThrow()
      await free()
      expect(await within(hostile, 'the call whose signal changed')).toEqual(['0@0', '1@0'])
      await plain
      // Its priority stayed what it was (background), behind the default-priority call.
      expect(order).toEqual(['plain', 'hostile'])
      await expectSettledDown(task)
    },
  )
})

describe('an onProgress listener that throws', () => {
  test('each throw is reported; later values still arrive; the call resolves with its value', async () => {
    const { task } = defineStreams({ maxInFlight: 4 })
    const stub = stubReportError()
    try {
      const seen: number[] = []
      const thrown: Error[] = []
      const beside = task.slowCount(5, 2)
      const result = await within(
        task
          .with({
            onProgress: (value) => {
              seen.push(value as number)
              const error = new Error(`listener broke on ${value}`)
              thrown.push(error)
              throw error
            },
          })
          .steps(5, 10),
        'the call',
      )
      expect(result).toBe('done')
      // A slow ack may let a value replace another, but the first and the last always arrive.
      expect(seen[0]).toBe(0)
      expect(seen.at(-1)).toBe(4)
      expect(seen.length).toBeGreaterThan(1)
      expect(stub.reported).toEqual(thrown)
      expect(await beside).toEqual([...Array(5).keys()].map((i) => `${i}@0`))
    } finally {
      stub.restore()
    }
    await expectSettledDown(task)
  })

  test.each([
    ['null', null],
    ['a string', 'plain string'],
    [
      'an object whose toString throws',
      {
        toString: () => {
          throw new Error('no')
        },
      },
    ],
  ] as const)(
    'a listener that throws %s: reported as it is, the stream carries on',
    async (_, value) => {
      const { task } = defineStreams()
      const stub = stubReportError()
      try {
        const { chunks, error } = await within(
          readAll(
            task
              .with({
                onProgress: () => {
                  throw value
                },
              })
              .badProgressInStream('function'),
          ),
          'the stream',
        )
        expect(error).toBeUndefined()
        expect(chunks).toHaveLength(3)
        // badProgressInStream reports nothing that could be cloned: use steps for a real report.
        const answer = await task
          .with({
            onProgress: () => {
              throw value
            },
          })
          .steps(2, 5)
        expect(answer).toBe('done')
        expect(stub.reported.length).toBeGreaterThan(0)
        for (const reported of stub.reported) expect(reported).toBe(value)
      } finally {
        stub.restore()
      }
      await expectSettledDown(task)
    },
  )
})

describe('re-entrancy from a progress listener or a stream loop', () => {
  /** Runs `fn` as app code would, keeping a synchronous throw instead of letting it out. */
  function attempt<T>(fn: () => T, throws: unknown[]): T | undefined {
    try {
      return fn()
    } catch (error) {
      throws.push(error)
      return undefined
    }
  }

  test('dispose() from onProgress: the running call ends with TaskDisposedError; another task carries on', async () => {
    const runtime = createTaskRuntime()
    const { task } = defineStreams({}, runtime)
    const { task: other } = defineStreams({}, runtime)
    const throws: unknown[] = []
    let disposing: Promise<void> | undefined
    const call = outcome(
      task
        .with({
          onProgress: () => {
            disposing ??= attempt(() => task.dispose(), throws)
          },
        })
        .progressThenWait(),
    )
    const result = await within(call, 'the call whose listener disposed')
    expect(throws).toEqual([])
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error).toBeInstanceOf(TaskDisposedError)
    await within(disposing!, 'dispose()')
    expect(await within(other.echo('other task'), 'the other task')).toBe('other task')
    expectDrained(task)
    await expectSettledDown(other)
  })

  test('dispose() from onProgress of a call that answers at once: its value or TaskDisposedError, once', async () => {
    const { task } = defineStreams()
    const throws: unknown[] = []
    let disposing: Promise<void> | undefined
    let settlements = 0
    const call = outcome(
      task
        .with({
          onProgress: () => {
            disposing ??= attempt(() => task.dispose(), throws)
          },
        })
        .progressThenReturn('answered')
        .finally(() => settlements++),
    )
    const result = await within(call, 'the call')
    expect(throws).toEqual([])
    if (result.ok) expect(result.value).toBe('answered')
    else expect(result.error).toBeInstanceOf(TaskDisposedError)
    await within(disposing!, 'dispose()')
    await sleep(20)
    expect(settlements).toBe(1)
    expectDrained(task)
  })

  test('dispose() inside a for await loop: the loop throws TaskDisposedError after the chunks it read', async () => {
    const { task } = defineStreams()
    const throws: unknown[] = []
    let disposing: Promise<void> | undefined
    const seen: number[] = []
    const read = (async () => {
      for await (const chunk of task.endless()) {
        seen.push(chunk)
        if (chunk === 3) disposing ??= attempt(() => task.dispose(), throws)
      }
    })()
    const result = await within(outcome(read), 'the loop')
    expect(throws).toEqual([])
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error).toBeInstanceOf(TaskDisposedError)
    // Chunks not yet read are dropped: the loop saw no more than what it had taken.
    expect(seen).toEqual([0, 1, 2, 3])
    await within(disposing!, 'dispose()')
    expectDrained(task)
  })

  test('dispose() inside the loop over a stream that may have ended: all its chunks, or a prefix then TaskDisposedError', async () => {
    const { task } = defineStreams()
    const throws: unknown[] = []
    let disposing: Promise<void> | undefined
    const seen: string[] = []
    const read = (async () => {
      for await (const chunk of task.slowCount(3, 0)) {
        seen.push(chunk)
        if (chunk === '1@0') disposing ??= attempt(() => task.dispose(), throws)
      }
    })()
    const result = await within(outcome(read), 'the loop')
    expect(throws).toEqual([])
    if (result.ok) expect(seen).toEqual(['0@0', '1@0', '2@0'])
    else {
      expect(result.error).toBeInstanceOf(TaskDisposedError)
      expect(['0@0', '1@0', '2@0'].slice(0, seen.length)).toEqual(seen)
    }
    await within(disposing!, 'dispose()')
    expectDrained(task)
  })

  test('new calls and streams from onProgress wait their turn and resolve', async () => {
    const { task } = defineStreams({ maxQueueDepth: 32 })
    const throws: unknown[] = []
    const inner: Array<Promise<unknown>> = []
    const outer = task
      .with({
        onProgress: (value) => {
          const call = attempt(() => task.echo(`inner ${value}`), throws)
          const stream = attempt(() => task.slowCount(2, 0), throws)
          if (call) inner.push(call)
          if (stream) inner.push(stream)
        },
      })
      .steps(3, 10)
    expect(await within(outer, 'the outer call')).toBe('done')
    const results = await within(Promise.all(inner), 'the calls made from the listener')
    expect(throws).toEqual([])
    expect(results.length).toBeGreaterThanOrEqual(2)
    for (let i = 0; i < results.length; i += 2) {
      expect(results[i]).toMatch(/^inner \d$/)
      expect(results[i + 1]).toEqual(['0@0', '1@0'])
    }
    await expectSettledDown(task)
  })

  test('new calls and streams from inside a for await loop resolve; the loop reads everything', async () => {
    // Room for the stream and the calls its loop awaits: with one place the call would wait for
    // the stream, and the stream (past its window) for the loop.
    const { task } = defineStreams({ maxInFlight: 4, maxQueueDepth: 32 })
    const throws: unknown[] = []
    const seen: string[] = []
    const awaited: unknown[] = []
    const fired: Array<Promise<unknown>> = []
    const read = (async () => {
      for await (const chunk of task.with({ streamWindow: 2 }).slowCount(6, 1)) {
        seen.push(chunk)
        const call = attempt(() => task.echo(chunk), throws)
        if (call) awaited.push(await call)
        const nested = attempt(() => task.slowCount(2, 0), throws)
        if (nested) awaited.push((await readAll(nested)).chunks)
        const later = attempt(() => task.echo(`later ${chunk}`), throws)
        if (later) fired.push(later)
      }
    })()
    await within(read, 'the loop')
    expect(throws).toEqual([])
    const chunks = [...Array(6).keys()].map((i) => `${i}@0`)
    expect(seen).toEqual(chunks)
    expect(awaited).toEqual(chunks.flatMap((chunk) => [chunk, ['0@0', '1@0']]))
    expect(await within(Promise.all(fired), 'the calls fired from the loop')).toEqual(
      chunks.map((chunk) => `later ${chunk}`),
    )
    await expectSettledDown(task)
  })
})

describe('a generator that closes its worker', () => {
  test('before its first chunk, under restart-requeue-in-flight: replayed whole on a new worker', async () => {
    const { task, spawned } = defineStreams({
      crashPolicy: 'restart-requeue-in-flight',
      maxInFlight: 2,
    })
    const beside = task.steps(3, 20)
    const { chunks, error } = await within(readAll(task.closeInFirstWorker(3, 0)), 'the stream')
    expect(error).toBeUndefined()
    expect(chunks).toEqual(['0@1', '1@1', '2@1'])
    expect(task.getState().lastCrash?.error.message).toMatch(/ended itself \(self\.close\(\)\)/)
    // The plain call that shared the closed worker ran again there, and answered.
    expect(await within(beside, 'the call beside it')).toBe('done')
    expect(spawned()).toBe(2)
    expect(task.getState().failed).toBe(false)
    await expectSettledDown(task)
  })

  test('before its first chunk, under restart-fail-in-flight: the loop throws WorkerCrashedError, no chunk', async () => {
    const { task } = defineStreams({ crashPolicy: 'restart-fail-in-flight' })
    const { chunks, error } = await within(readAll(task.closeInFirstWorker(3, 0)), 'the stream')
    expect(chunks).toEqual([])
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(String(error.cause?.message)).toMatch(/ended itself \(self\.close\(\)\)/)
    expect(await within(task.whoami(), 'the next call')).toBe('1')
    await expectSettledDown(task)
  })

  test('after its first chunks: WorkerCrashedError after them, never replayed; the call beside it is', async () => {
    const { task, spawned } = defineStreams({
      crashPolicy: 'restart-requeue-in-flight',
      maxInFlight: 2,
    })
    const beside = task.steps(3, 20)
    const { chunks, error } = await within(readAll(task.closeInFirstWorker(5, 2)), 'the stream')
    expect(chunks).toEqual(['0@0', '1@0'])
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(String(error.cause?.message)).toMatch(/ended itself \(self\.close\(\)\)/)
    expect(await within(beside, 'the call beside it')).toBe('done')
    expect(await within(task.whoami(), 'the next call')).toBe('1')
    // A replay would have run on worker "1" and streamed there: nothing ran but the two calls.
    expect(spawned()).toBe(2)
    await expectSettledDown(task)
  })
})
