/**
 * Coalescing: calls dispatched to one worker within a turn travel in one message, and answers
 * ready within one turn in the worker come back in one. Counted on real workers, by wrapping the
 * worker's `postMessage` and listening to what it sends back.
 */

import { expect, test } from 'vitest'
import { createTaskRuntime, type SpanEvent } from '../../src/index'
import { expectDrained } from '../support/drained'
import { define, outcome } from './fixtures/define'
import { Random, resolveSeed } from './fixtures/hostile-values'
import type { TestAPI } from './fixtures/test.worker'

/** A worker factory that counts the messages each way (ours only: those tagged `atelier:`). */
function countingWorkers() {
  const sent: string[] = []
  const received: string[] = []
  const factory = () => {
    const worker = new Worker(new URL('./fixtures/test.worker.ts', import.meta.url), {
      type: 'module',
    })
    const post = worker.postMessage.bind(worker) as (message: unknown, transfer?: unknown) => void
    worker.postMessage = ((message: unknown, transfer?: Transferable[]) => {
      if (Array.isArray(message)) sent.push(String(message[0]))
      post(message, transfer)
    }) as Worker['postMessage']
    worker.addEventListener('message', (event) => {
      if (Array.isArray(event.data)) received.push(String(event.data[0]))
    })
    return worker
  }
  return { factory, sent, received }
}

const count = (list: string[], type: string) => list.filter((t) => t === type).length

test('calls made in one turn go to each worker in one message, and come back in one', async () => {
  const workers = countingWorkers()
  const runtime = createTaskRuntime()
  const task = runtime.defineTask<TestAPI>({
    type: 'parallel',
    poolSize: 2,
    maxInFlight: 200,
    worker: workers.factory,
  })
  await task.startWorkers()
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => task.add(i, 1)))
  expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
  // Per worker, the turn's first call at once, the rest together at the turn's end; and few
  // messages of answers (a slow call may send what waits early).
  expect(count(workers.sent, 'atelier:call')).toBe(2)
  expect(count(workers.sent, 'atelier:calls')).toBe(2)
  expect(
    count(workers.received, 'atelier:answers') + count(workers.received, 'atelier:result'),
  ).toBeLessThanOrEqual(10)
  expect(task.getState()).toMatchObject({ totalDispatched: 200, busyWorkers: 0, queueDepth: 0 })
  expectDrained(task)
  await task.dispose()
})

test('a call alone goes as a plain call message, at once', async () => {
  const workers = countingWorkers()
  const runtime = createTaskRuntime()
  const task = runtime.defineTask<TestAPI>({ type: 'singleton', worker: workers.factory })
  for (let i = 0; i < 5; i++) expect(await task.add(i, i)).toBe(2 * i)
  expect(count(workers.sent, 'atelier:call')).toBe(5)
  expect(count(workers.sent, 'atelier:calls')).toBe(0)
  await task.dispose()
})

test('in one batch, a call that cannot be sent fails alone and names its argument', async () => {
  const { task } = define({ type: 'singleton', maxInFlight: 10 })
  await task.startWorkers()
  const [a, bad, c, moved, e] = await Promise.all([
    outcome(task.add(1, 1)),
    outcome(task.add(2, (() => 2) as unknown as number)),
    outcome(task.add(3, 3)),
    outcome(task.byteLength(new ArrayBuffer(8))),
    outcome(task.add(4, 4)),
  ])
  expect(a).toEqual({ ok: true, value: 2 })
  expect(c).toEqual({ ok: true, value: 6 })
  expect(moved).toEqual({ ok: true, value: 8 })
  expect(e).toEqual({ ok: true, value: 8 })
  expect(bad.ok).toBe(false)
  expect(bad.ok || bad.error.message).toMatch(
    /^Argument 1 of "add" could not be sent to the worker/,
  )
  expectDrained(task)
})

test('a buffer passed to two calls of one batch: the first moves it, the second fails naming it', async () => {
  const { task } = define({ type: 'singleton', maxInFlight: 10 })
  await task.startWorkers()
  const buffer = new ArrayBuffer(16)
  const [first, second, third] = await Promise.all([
    outcome(task.byteLength(buffer)),
    outcome(task.byteLength(buffer)),
    outcome(task.add(1, 2)),
  ])
  expect(first).toEqual({ ok: true, value: 16 })
  expect(second.ok || second.error.message).toMatch(
    /^Argument 0 of "byteLength" holds a detached ArrayBuffer/,
  )
  expect(third).toEqual({ ok: true, value: 3 })
  expectDrained(task)
})

test('a call cancelled in the turn it was made, still in its outbox, ends alone', async () => {
  const { task } = define({ type: 'singleton', maxInFlight: 10 })
  await task.startWorkers()
  const controller = new AbortController()
  const before = outcome(task.add(1, 1))
  const cancelled = outcome(task.with({ signal: controller.signal }).add(2, 2))
  const after = outcome(task.add(3, 3))
  controller.abort()
  expect(await before).toEqual({ ok: true, value: 2 })
  expect((await cancelled).ok).toBe(false)
  expect(await after).toEqual({ ok: true, value: 6 })
  await expect.poll(() => task.getState().busyWorkers).toBe(0)
  expectDrained(task)
})

/** The ids of the calls posted to the workers, in the order posted (batches opened), by worker. */
function idRecordingWorkers() {
  const byWorker: number[][] = []
  const factory = () => {
    const ids: number[] = []
    byWorker.push(ids)
    const worker = new Worker(new URL('./fixtures/test.worker.ts', import.meta.url), {
      type: 'module',
    })
    const post = worker.postMessage.bind(worker) as (message: unknown, transfer?: unknown) => void
    worker.postMessage = ((message: unknown, transfer?: Transferable[]) => {
      post(message, transfer)
      if (!Array.isArray(message)) return
      if (message[0] === 'atelier:call') ids.push(message[1] as number)
      if (message[0] === 'atelier:calls') for (const call of message[1]) ids.push(call[1])
    }) as Worker['postMessage']
    return worker
  }
  return {
    factory,
    byWorker,
    get ids() {
      return byWorker.flat()
    },
  }
}

const ascending = (ids: number[]) => ids.every((id, i) => i === 0 || ids[i - 1]! < id)

/** An argument the transfer walk cannot see into, whose clone Chromium delivers empty. */
class Box {
  constructor(readonly image: ImageData) {}
}
function hiddenDetachedImage(): Box {
  const image = new ImageData(2, 2)
  structuredClone(image.data.buffer, { transfer: [image.data.buffer] })
  return new Box(image)
}

// A call of a batch that cannot be sent frees its place, and the pump hands that place to the
// next queued call at once, in the middle of the batch's posting. Posted then, it overtook the
// calls of the batch after the failed one; a worker must see its calls in id order, or a call
// arriving empty after it is never named (the ids around it say which it was) and never ends.
test.each([
  ['a plain call', () => 3],
  ['a call that arrives empty', hiddenDetachedImage],
])(
  'a call freed mid-batch takes its place after the batch: ids stay in order (%s behind it)',
  async (_label, third) => {
    const workers = idRecordingWorkers()
    const runtime = createTaskRuntime()
    const task = runtime.defineTask<TestAPI>({
      type: 'singleton',
      maxInFlight: 3,
      worker: workers.factory,
    })
    await task.startWorkers()
    // 1 goes at once; 2 (unsendable) and 3 wait for the turn's end; 4 and 5 are queued.
    const calls = [
      outcome(task.echo(1)),
      outcome(task.echo(() => 2)),
      outcome(task.echo(third())),
      outcome(task.echo(4)),
      outcome(task.echo(5)),
    ]
    const settled = await Promise.race([
      Promise.all(calls),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3000)),
    ])
    expect(settled, 'every call settles').not.toBe('hung')
    const [one, two, three, four, five] = settled as Awaited<(typeof calls)[number]>[]
    expect([one, four, five]).toEqual([
      { ok: true, value: 1 },
      { ok: true, value: 4 },
      { ok: true, value: 5 },
    ])
    expect(two!.ok || two!.error.message).toMatch(/^Argument 0 of "echo" could not be sent/)
    if (third === hiddenDetachedImage) {
      expect(three!.ok || three!.error.message).toMatch(/received this call empty/)
    } else expect(three).toEqual({ ok: true, value: 3 })
    expect(workers.byWorker).toHaveLength(1)
    expect(workers.ids).toEqual([...workers.ids].sort((a, b) => a - b))
    expect(workers.ids).toHaveLength(4)
    expectDrained(task)
    await task.dispose()
  },
)

// The class: bursts of calls, some unsendable, some arriving empty, some plain, over one or two
// workers with room for a few at a time. Every call ends as its kind says, promptly, and every
// worker sees its calls in id order.
const SEED = resolveSeed(import.meta.env.VITE_FUZZ_SEED, 0xc0a1)
test(`bursts mixing unsendable, empty-arriving and plain calls: all end, in id order (seed ${SEED}, VITE_FUZZ_SEED reruns it)`, async () => {
  const random = new Random(SEED)
  for (let round = 0; round < 12; round++) {
    const label = `seed ${SEED}, round ${round}`
    const workers = idRecordingWorkers()
    const runtime = createTaskRuntime()
    const parallel = random.chance(0.5)
    const task = runtime.defineTask<TestAPI>({
      type: parallel ? 'parallel' : 'singleton',
      ...(parallel ? { poolSize: 2 } : {}),
      maxInFlight: 1 + random.int(5),
      maxQueueDepth: 64,
      worker: workers.factory,
    })
    await task.startWorkers()
    const kinds: Array<'plain' | 'unsendable' | 'empty'> = []
    const calls: Array<Promise<{ ok: true; value: unknown } | { ok: false; error: Error }>> = []
    for (let turn = 0; turn < 1 + random.int(3); turn++) {
      for (let i = 0, n = 2 + random.int(12); i < n; i++) {
        const roll = random.next()
        const kind = roll < 0.2 ? 'unsendable' : roll < 0.35 ? 'empty' : 'plain'
        const value = kind === 'unsendable' ? () => i : kind === 'empty' ? hiddenDetachedImage() : i
        kinds.push(kind)
        calls.push(outcome(task.echo(value)))
      }
      await Promise.resolve()
    }
    const settled = await Promise.race([
      Promise.all(calls),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000)),
    ])
    expect(settled, `${label}: every call settles`).not.toBe('hung')
    const results = settled as Awaited<(typeof calls)[number]>[]
    results.forEach((result, i) => {
      const text = result.ok ? 'resolved' : result.error.message
      if (kinds[i] === 'plain') expect(result.ok, `${label}, call ${i}: ${text}`).toBe(true)
      if (kinds[i] === 'unsendable')
        expect(text, `${label}, call ${i}`).toMatch(/could not be sent/)
      if (kinds[i] === 'empty')
        expect(text, `${label}, call ${i}`).toMatch(/received this call empty/)
    })
    for (const ids of workers.byWorker) expect(ascending(ids), `${label}: ${ids}`).toBe(true)
    expectDrained(task, `${label}: executor entries`)
    await task.dispose()
  }
})

test('spans of batched calls: each its own worker, attempt and dispatch', async () => {
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
  const spans: SpanEvent[] = []
  runtime.subscribeEvents((event) => {
    if (event.kind === 'span') spans.push(event)
  })
  const { task } = define({ poolSize: 2, maxInFlight: 20 }, runtime)
  await task.startWorkers()
  await Promise.all(Array.from({ length: 20 }, (_, i) => task.add(i, i)))
  expect(spans).toHaveLength(20)
  for (const span of spans) {
    expect(span).toMatchObject({ status: 'ok', attemptCount: 1 })
    expect([0, 1]).toContain(span.workerIndex)
  }
  expect(new Set(spans.map((s) => s.workerIndex)).size).toBe(2)
  expect(task.getState().totalDispatched).toBe(20)
})

test('a worker that crashes with a batch in flight: its calls are replayed on the new worker', async () => {
  const { task, workers } = define({
    type: 'singleton',
    maxInFlight: 10,
    crashPolicy: 'restart-requeue-in-flight',
  })
  await task.startWorkers()
  // The first worker dies on `crashInFirstWorker`; the rest of its batch goes down with it.
  const results = await Promise.all([
    task.add(1, 1),
    task.crashInFirstWorker(7),
    task.add(2, 2),
    task.add(3, 3),
  ])
  expect(results).toEqual([2, '7@1', 4, 6])
  expect(workers.spawned).toBe(2)
  expectDrained(task)
})
