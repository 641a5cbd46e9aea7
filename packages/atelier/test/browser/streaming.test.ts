/**
 * Streaming calls and progress, with real module workers: order, both ways of consuming, flow
 * control, cancellation from every side, errors and crashes, transfers, progress ordering and
 * coalescing, and what observability says of a stream.
 */
import { afterEach, describe, expect, test } from 'vitest'
import {
  AbortError,
  createTaskRuntime,
  parallelLimit,
  type RuntimeEvent,
  type SpanEvent,
  type Task,
  type TaskConfig,
  TaskDisposedError,
  TimeoutError,
  WorkerCrashedError,
} from '../../src/index'
import { executorOf } from '../../src/task'
import { expectDrained } from '../support/drained'
import { STREAM_CHANNEL, type StreamAPI, type StreamReport } from './fixtures/stream.worker'

const tasks: Array<Task<StreamAPI>> = []
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((task) => task.dispose()))
})

/** Messages each worker posted to the page (any of them, not only the runtime's). */
let workerMessages = 0

function defineStreams(config: Partial<TaskConfig<StreamAPI>> = {}, runtime = createTaskRuntime()) {
  let spawned = 0
  const task = runtime.defineTask<StreamAPI>({
    type: 'singleton',
    worker: () => {
      const worker = new Worker(new URL('./fixtures/stream.worker.ts', import.meta.url), {
        type: 'module',
        name: String(spawned++),
      })
      worker.addEventListener('message', () => workerMessages++)
      return worker
    },
    ...config,
  })
  tasks.push(task)
  return task
}

// What the workers say of their generators, by label.
const reports: StreamReport[] = []
const listeners = new Set<() => void>()
new BroadcastChannel(STREAM_CHANNEL).onmessage = (event: MessageEvent<StreamReport>) => {
  reports.push(event.data)
  for (const listener of listeners) listener()
}

function report<K extends StreamReport['type']>(type: K, label: string) {
  return new Promise<Extract<StreamReport, { type: K }>>((resolve) => {
    const find = () =>
      reports.find(
        (r): r is Extract<StreamReport, { type: K }> => r.type === type && r.label === label,
      )
    const check = () => {
      const found = find()
      if (found === undefined) return
      listeners.delete(check)
      resolve(found)
    }
    listeners.add(check)
    check()
  })
}

function produced(label: string): number {
  let count = 0
  for (const r of reports) if (r.type === 'produced' && r.label === label) count = r.count
  return count
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let labels = 0
const label = () => `s${++labels}`

async function readAll<T>(stream: AsyncIterable<T>): Promise<{ chunks: T[]; error?: any }> {
  const chunks: T[] = []
  try {
    for await (const chunk of stream) chunks.push(chunk)
    return { chunks }
  } catch (error) {
    return { chunks, error }
  }
}

/** Resolves once `condition` holds (checked every 5 ms, for at most 5 s). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await sleep(5)
  expect(condition()).toBe(true)
}

/** Resolves once the task's executor has no call in flight. */
async function settledDown(task: Task<StreamAPI>): Promise<void> {
  for (let i = 0; i < 200 && task.getState().queueDepth > 0; i++) await sleep(5)
  expect(task.getState().queueDepth).toBe(0)
}

describe('generator handlers stream', () => {
  test('chunks arrive in order, from async and sync generators alike', async () => {
    const task = defineStreams()
    const range = [...Array(500).keys()]
    expect((await readAll(task.count(500))).chunks).toEqual(range)
    expect((await readAll(task.countSync(500))).chunks).toEqual(range)
    // `for await` over a sync generator awaits what it yields; so does the stream.
    expect((await readAll(task.promises(3))).chunks).toEqual(['p0', 'p1', 'p2'])
    expect((await readAll(task.count(0))).chunks).toEqual([])
  })

  test('awaiting a stream collects every chunk; it is a real promise', async () => {
    const task = defineStreams()
    const stream = task.count(100)
    expect(stream).toBeInstanceOf(Promise)
    expect(await stream).toEqual([...Array(100).keys()])
    await expect(task.count(3).then((chunks) => chunks.length)).resolves.toBe(3)
    expect(await Promise.all([task.count(2), task.countSync(2)])).toEqual([
      [0, 1],
      [0, 1],
    ])
    await expect(task.failAfter(2).catch((error: Error) => error.message)).resolves.toBe(
      'failed after 2',
    )
  })

  test('a stream is consumed once: a second iteration, or the other way, throws a TypeError', async () => {
    const task = defineStreams()
    const iterated = task.count(3)
    await readAll(iterated)
    expect(() => iterated[Symbol.asyncIterator]()).toThrow(TypeError)
    expect(() => iterated[Symbol.asyncIterator]()).toThrow(/already iterated/)
    await expect(iterated).rejects.toThrow(/being iterated/)

    const awaited = task.count(3)
    await awaited
    expect(() => awaited[Symbol.asyncIterator]()).toThrow(/already awaited/)
    // Awaiting again is awaiting the same promise.
    expect(await awaited).toEqual([0, 1, 2])
  })

  test('calls made before any worker is ready work both ways; plain methods stay promises', async () => {
    const task = defineStreams()
    // Nothing is known of the methods yet: every call can be iterated or awaited.
    const early = task.count(4)
    const earlyPlain = task.plain(21)
    expect(Symbol.asyncIterator in earlyPlain).toBe(true)
    expect((await readAll(early)).chunks).toEqual([0, 1, 2, 3])
    expect(await earlyPlain).toBe(42)
    const iteratedPlain = task.plain(1) as unknown as AsyncIterable<number>
    // Known by now: a plain method returns a plain promise.
    expect(Symbol.asyncIterator in iteratedPlain).toBe(false)
    expect(Object.getPrototypeOf(task.plain(1))).toBe(Promise.prototype)

    const fresh = defineStreams()
    const result = await readAll(fresh.plain(1) as unknown as AsyncIterable<number>)
    expect(result.error).toBeInstanceOf(TypeError)
    expect(result.error.message).toMatch(/"plain" does not stream/)
  })

  test('a plain handler returning a generator fails with how to stream it', async () => {
    const task = defineStreams()
    await expect(task.wrapped()).rejects.toThrow(/declare it as a generator function/)
  })
})

describe('flow control', () => {
  test('a consumer that stops pulling holds the generator at the window', async () => {
    const task = defineStreams()
    const name = label()
    const stream = task.with({ streamWindow: 4 }).produce(name, 100)
    const iterator = stream[Symbol.asyncIterator]()
    expect(await iterator.next()).toEqual({ value: 0, done: false })
    await until(() => produced(name) >= 4)
    await sleep(100)
    // One chunk taken, so the generator may be at most four ahead of it: the next `yield` waits
    // for credit. (Taking the one chunk may or may not have granted credit back yet.)
    expect(produced(name)).toBeGreaterThanOrEqual(4)
    expect(produced(name)).toBeLessThanOrEqual(1 + 4)
    const rest: number[] = []
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      rest.push(step.value)
      if (step.value === 50) {
        await sleep(100)
        // Never more than the window ahead of what the consumer took.
        expect(produced(name)).toBeLessThanOrEqual(51 + 4)
      }
    }
    expect(rest).toEqual([...Array(99).keys()].map((i) => i + 1))
  })

  test('a stream nobody reads yet holds at most a window, and awaiting it later gets everything', async () => {
    const task = defineStreams({ streamWindow: 8 })
    const name = label()
    const stream = task.produce(name, 50)
    await until(() => produced(name) >= 8)
    await sleep(100)
    expect(produced(name)).toBe(8)
    expect(executorOf(task)!.internalSizes.unreadChunks).toBe(8)
    expect(await stream).toEqual([...Array(50).keys()])
  })

  test('a 100,000-chunk stream never holds more than its window', async () => {
    const task = defineStreams({ streamWindow: 32 })
    let read = 0
    let most = 0
    for await (const chunk of task.countSync(100_000)) {
      expect(chunk).toBe(read)
      read++
      if (read % 500 === 0) {
        most = Math.max(most, executorOf(task)!.internalSizes.unreadChunks)
        // A slow spell now and then lets the worker fill the window if it could overrun it.
        if (read % 20_000 === 0) await sleep(30)
      }
    }
    expect(read).toBe(100_000)
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(32)
    expectDrained(task)
  })

  test('chunks are batched: far fewer messages than chunks', async () => {
    const task = defineStreams()
    await task.plain(0)
    const before = workerMessages
    expect(await task.countSync(1000)).toHaveLength(1000)
    expect(workerMessages - before).toBeLessThan(1000 / 4)
  })
})

describe('cancelling a stream', () => {
  test("break aborts the call: the worker's signal aborts and the generator's finally runs", async () => {
    const task = defineStreams()
    const name = label()
    const seen: number[] = []
    for await (const chunk of task.endless(name)) {
      seen.push(chunk)
      if (chunk === 5) break
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5])
    const done = await report('finally', name)
    expect(done.aborted).toBe(true)
    expect(done.reason).toBe('AbortError')
    // The place frees when the worker confirms; the task carries on.
    await settledDown(task)
    expect(await task.plain(2)).toBe(4)
    expectDrained(task)
  })

  test('a generator that computes without awaiting still hears the cancel between chunks', async () => {
    const task = defineStreams()
    const name = label()
    for await (const chunk of task.busy(name, 5)) if (chunk === 1) break
    await report('finally', name)
    // Not the whole window of 16: the worker lets messages in after each slow chunk.
    expect(produced(name)).toBeLessThanOrEqual(5)
  })

  test('a throw in the loop body and return() cancel it too', async () => {
    const task = defineStreams()
    const name = label()
    await expect(
      (async () => {
        for await (const chunk of task.endless(name)) if (chunk === 2) throw new Error('consumer')
      })(),
    ).rejects.toThrow('consumer')
    expect((await report('finally', name)).aborted).toBe(true)

    const other = label()
    const iterator = task.endless(other)[Symbol.asyncIterator]()
    await iterator.next()
    expect(await iterator.return!()).toEqual({ value: undefined, done: true })
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
    expect((await report('finally', other)).aborted).toBe(true)
    await settledDown(task)
  })

  test("the caller's signal, a key, a timeout and dispose end a stream with a call's errors", async () => {
    const runtime = createTaskRuntime()
    const task = defineStreams({ timeoutMs: Infinity }, runtime)

    const controller = new AbortController()
    const reason = new Error('user left')
    const first = label()
    const bySignal = readAll(task.with({ signal: controller.signal }).endless(first))
    await report('started', first)
    await sleep(10)
    controller.abort(reason)
    const signalled = await bySignal
    expect(signalled.error).toBe(reason)
    expect(signalled.chunks.length).toBeGreaterThan(0)

    const keyed = label()
    const byKey = readAll(task.with({ key: 'doc-1' }).endless(keyed))
    await report('started', keyed)
    runtime.abortTaskController.abort('doc-1')
    expect((await byKey).error).toBeInstanceOf(AbortError)
    runtime.abortTaskController.clear('doc-1')

    const timed = defineStreams({ timeoutMs: 150 })
    // Started first, so the timeout bounds the stream rather than a cold start.
    await timed.startWorkers()
    const byTimeout = await readAll(timed.endless(label()))
    expect(byTimeout.error).toBeInstanceOf(TimeoutError)
    expect(byTimeout.chunks.length).toBeGreaterThan(0)

    const disposed = defineStreams()
    const last = label()
    const byDispose = readAll(disposed.endless(last))
    await report('started', last)
    await disposed.dispose()
    expect((await byDispose).error).toBeInstanceOf(TaskDisposedError)
    await settledDown(task)
  })

  test('a cancelled stream keeps its place in maxInFlight until the worker confirms', async () => {
    const task = defineStreams({ cancelGraceMs: Infinity })
    const name = label()
    const iterator = task.oneThenWait(name)[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toBe('first')
    await report('started', name)
    expect(task.getState().queueDepth).toBe(1)
    await iterator.return!()
    // The generator awaits its signal; once it rejects, the worker answers and the place frees.
    await report('finally', name)
    await settledDown(task)
    expectDrained(task)
  })
})

describe('errors and crashes', () => {
  test('an error after 3 chunks: the 3 chunks, then the error with its class, cause and fields', async () => {
    const task = defineStreams()
    const { chunks, error } = await readAll(task.failAfter(3))
    expect(chunks).toEqual([0, 1, 2])
    expect(error).toBeInstanceOf(RangeError)
    expect(error.message).toBe('failed after 3')
    expect(error.code).toBe('E_STREAM')
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.cause.message).toBe('root')
  })

  test('a crash after the first chunk is never replayed: the loop throws WorkerCrashedError', async () => {
    const task = defineStreams({ crashPolicy: 'restart-requeue-in-flight' })
    const { chunks, error } = await readAll(task.crashAfter(2))
    expect(chunks).toEqual([0, 1])
    expect(error).toBeInstanceOf(WorkerCrashedError)
    // The worker is restarted; the task carries on.
    expect(await task.count(2)).toEqual([0, 1])
  })

  test('a crash before the first chunk follows the crash policy: requeued, it streams elsewhere', async () => {
    const task = defineStreams({ crashPolicy: 'restart-requeue-in-flight' })
    expect((await readAll(task.crashFirstWorker(3))).chunks).toEqual(['0@1', '1@1', '2@1'])
    const failing = defineStreams({ crashPolicy: 'restart-fail-in-flight' })
    expect((await readAll(failing.crashFirstWorker(3))).error).toBeInstanceOf(WorkerCrashedError)
  })

  test('a chunk that cannot be cloned ends the stream with a TypeError naming it', async () => {
    const task = defineStreams()
    const { chunks, error } = await readAll(task.uncloneable())
    expect(chunks).toEqual([1, 2])
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^Chunk 2 of "uncloneable" could not be sent/)
    expect(await task.plain(1)).toBe(2)
  })
})

describe('generators that misbehave fail alone', () => {
  test('a finally that throws on cancellation: the loop ends, the place frees', async () => {
    const task = defineStreams()
    for await (const chunk of task.throwingFinally()) if (chunk === 3) break
    await settledDown(task)
    expect(await task.plain(5)).toBe(10)
  })

  test('a finally that never ends is bounded by cancelGraceMs', async () => {
    const task = defineStreams({ cancelGraceMs: 100 })
    for await (const chunk of task.hangingFinally()) if (chunk === 3) break
    await settledDown(task)
    expect(await task.plain(5)).toBe(10)
    expectDrained(task)
  })

  test('a detached buffer in a later chunk: the chunks before it, then a TypeError naming it', async () => {
    const task = defineStreams()
    const { chunks, error } = await readAll(task.detached())
    expect(chunks).toHaveLength(1)
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^Chunk 1 of "detached" holds a detached ArrayBuffer at \.again/)
  })

  test('a thrown string arrives as it does for calls', async () => {
    const task = defineStreams()
    const { chunks, error } = await readAll(task.throwsString())
    expect(chunks).toEqual(['one'])
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toBe('plain string')
  })

  test('a stopped task: a stream that already sent chunks is not replayed', async () => {
    const task = defineStreams()
    const name = label()
    const result = readAll(task.endless(name))
    await report('started', name)
    await sleep(20)
    await task.stopWorkers()
    const { chunks, error } = await result
    expect(chunks.length).toBeGreaterThan(0)
    expect(error).toBeInstanceOf(AbortError)
    expect(error.message).toMatch(/already streamed chunks/)
    await task.startWorkers()
    expect(await task.count(2)).toEqual([0, 1])
  })

  test('next() called several times without waiting: answers in order', async () => {
    const task = defineStreams()
    const iterator = task.count(3)[Symbol.asyncIterator]()
    const steps = await Promise.all([
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
    ])
    expect(steps).toEqual([
      { value: 0, done: false },
      { value: 1, done: false },
      { value: 2, done: false },
      { value: undefined, done: true },
    ])
  })
})

describe('transfers', () => {
  test('a yielded buffer is transferred (detached in the worker), or copied with transferResult: false', async () => {
    const task = defineStreams()
    const [moved, leftInWorker] = (await task.buffers(1024)) as [ArrayBuffer, number]
    expect(moved.byteLength).toBe(1024)
    expect(new Uint8Array(moved)[0]).toBe(7)
    expect(leftInWorker).toBe(0)
    const [copied, kept] = (await task.with({ transferResult: false }).buffers(1024)) as [
      ArrayBuffer,
      number,
    ]
    expect(copied.byteLength).toBe(1024)
    expect(kept).toBe(1024)
  })
})

describe('progress', () => {
  test('values arrive in order, all before the call settles', async () => {
    const task = defineStreams()
    const events: string[] = []
    const result = task
      .with({ onProgress: (value) => events.push(`progress ${value}`) })
      .steps(5, 5)
      .then((value) => events.push(`result ${value}`))
    await result
    expect(events).toEqual([
      'progress 0',
      'progress 1',
      'progress 2',
      'progress 3',
      'progress 4',
      'result done',
    ])
  })

  test('a slow listener gets the latest value, never a backlog', async () => {
    const task = defineStreams()
    const seen: number[] = []
    const n = await task
      .with({
        onProgress: (value) => {
          seen.push((value as { done: number }).done)
          const until = performance.now() + 2
          while (performance.now() < until) {}
        },
      })
      .burst(10_000)
    expect(n).toBe(10_000)
    expect(seen[0]).toBe(0)
    expect(seen.at(-1)).toBe(9_999)
    expect(seen.length).toBeLessThan(10)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!)
  })

  test('without onProgress, reports post nothing', async () => {
    const task = defineStreams()
    await task.plain(0)
    const before = workerMessages
    expect(await task.burst(1000)).toBe(1000)
    expect(workerMessages - before).toBe(1)
  })

  test('a value that cannot be cloned throws in the handler that reported it', async () => {
    const task = defineStreams()
    expect(await task.with({ onProgress: () => {} }).badProgress()).toMatch(
      /ctx.progress\(\) could not send its value/,
    )
  })

  test('a listener that throws is reported, and the call carries on', async () => {
    const task = defineStreams()
    const reported: unknown[] = []
    const onError = (event: ErrorEvent) => {
      reported.push(event.error)
      event.preventDefault()
    }
    window.addEventListener('error', onError)
    try {
      const boom = new Error('listener broke')
      const result = await task
        .with({
          onProgress: () => {
            throw boom
          },
        })
        .steps(2, 1)
      expect(result).toBe('done')
      expect(reported).toContain(boom)
    } finally {
      window.removeEventListener('error', onError)
    }
  })
})

describe('observability', () => {
  test('a stream is one span with chunks and firstChunkMs, in flight until it ends', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const spans: SpanEvent[] = []
    runtime.subscribeEvents((event: RuntimeEvent) => {
      if (event.kind === 'span') spans.push(event)
    })
    const task = defineStreams({}, runtime)
    const iterator = task.count(40)[Symbol.asyncIterator]()
    await iterator.next()
    expect(task.getState().queueDepth).toBe(1)
    while (!(await iterator.next()).done) {}
    await settledDown(task)
    const span = spans.find((s) => s.method === 'count')!
    expect(span.status).toBe('ok')
    expect(span.chunks).toBe(40)
    expect(span.firstChunkMs).toBeGreaterThanOrEqual(0)
    expect(span.firstChunkMs).toBeLessThanOrEqual(span.durationMs)

    for await (const chunk of task.endless(label())) if (chunk === 3) break
    await settledDown(task)
    const cancelled = spans.find((s) => s.method === 'endless')!
    expect(cancelled.status).toBe('canceled')
    expect(cancelled.chunks).toBeGreaterThanOrEqual(4)
  })
})

describe('parallelLimit over streams', () => {
  test("yields the streams' chunks, flattened as they arrive", async () => {
    const task = defineStreams({ type: 'parallel', poolSize: 2 })
    const chunks: number[] = []
    for await (const chunk of parallelLimit([3, 4, 5], 2, (n) => task.count(n))) chunks.push(chunk)
    expect(chunks.sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4].sort())
  })

  test('a call that turns out plain yields its value once', async () => {
    // A fresh task: nothing is known of its methods when the calls are made.
    const task = defineStreams()
    const values: unknown[] = []
    for await (const value of parallelLimit([1, 2], 2, (n) => task.plain(n))) values.push(value)
    expect(values.sort()).toEqual([2, 4])
  })

  test('leaving early cancels the streams still running', async () => {
    const task = defineStreams({ type: 'parallel', poolSize: 2 })
    const names = [label(), label()]
    let taken = 0
    for await (const _ of parallelLimit(names, 2, (name) => task.endless(name))) {
      if (++taken === 20) break
    }
    // Queued chunks count against the limit, so the second item may never have been pulled.
    // (The worker's reports travel on another channel: they may trail its chunks.)
    await Promise.race(names.map((name) => report('started', name)))
    await sleep(50)
    const started = names.filter((name) =>
      reports.some((r) => r.type === 'started' && r.label === name),
    )
    expect(started.length).toBeGreaterThan(0)
    for (const name of started) expect((await report('finally', name)).aborted).toBe(true)
    await settledDown(task)
    expectDrained(task)
  })

  test("a stream's error is the item's failure, after the chunks before it", async () => {
    const task = defineStreams()
    const seen: unknown[] = []
    const errors: unknown[] = []
    for await (const record of parallelLimit([2], 1, (k) => task.failAfter(k), {
      returnSettled: true,
    })) {
      if (record.status === 'fulfilled') seen.push(record.value)
      else errors.push(record.error)
    }
    expect(seen).toEqual([0, 1])
    expect(errors).toHaveLength(1)
    expect((errors[0] as Error).message).toBe('failed after 2')
  })
})
