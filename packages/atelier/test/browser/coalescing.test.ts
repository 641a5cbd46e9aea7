/**
 * Coalescing: calls dispatched to one worker within a turn travel in one message, and answers
 * ready within one turn in the worker come back in one. Counted on real workers, by wrapping the
 * worker's `postMessage` and listening to what it sends back.
 */

import { expect, test } from 'vitest'
import { createTaskRuntime, type SpanEvent } from '../../src/index'
import { expectDrained } from '../support/drained'
import { define, outcome } from './fixtures/define'
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
