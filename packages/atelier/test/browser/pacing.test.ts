/**
 * Pacing: with `maxInFlight` left to Atelier, a worker holds one call while the task's calls are
 * long, and up to 16 while they are short; an explicit `maxInFlight` keeps its meaning. Real
 * workers, real timings (the test worker's `spin(ms)` busy-waits).
 */

import { expect, test } from 'vitest'
import { createTaskRuntime, type SpanEvent } from '../../src/index'
import { expectDrained } from '../support/drained'

/** Makes solo calls until the task is paced for short calls; how many it took. */
async function warm(call: (i: number) => Promise<unknown>, state: () => { maxInFlight: number }) {
  let calls = 0
  while (state().maxInFlight <= 2 && calls < 200) await call(calls++)
  return calls
}

import { define } from './fixtures/define'
import { gate, release, started } from './fixtures/harness'

test('short calls: each worker comes to hold up to 16, and the bound is back to one per worker after a long call', async () => {
  const { task } = define({ poolSize: 2, maxQueueDepth: 1000 })
  await task.startWorkers()
  expect(task.getState().maxInFlight).toBe(2)
  // A few solo calls teach the pacer the round trip and that `add` is short. How many it takes
  // varies: the first calls on a fresh worker run cold, and on a loaded machine (a CI runner
  // running other tests) round trips jitter, so three in a row under twice the fastest recent
  // one can take a while; that bound is what this allows for.
  expect(await warm((i) => task.add(i, i), task.getState)).toBeLessThan(200)
  expect(task.getState().maxInFlight).toBe(32)
  let most = 0
  const calls = Array.from({ length: 500 }, (_, i) =>
    task.add(i, 1).then((value) => {
      most = Math.max(most, task.getState().queueDepth)
      return value
    }),
  )
  most = Math.max(most, task.getState().queueDepth)
  expect(await Promise.all(calls)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1))
  expect(most).toBeGreaterThan(2)
  expect(most).toBeLessThanOrEqual(32)
  // One long call is enough to go back to one call per worker.
  await task.spin(20)
  expect(task.getState().maxInFlight).toBe(2)
  expectDrained(task)
})

test('uneven work under the default stays even: long calls go one per worker', async () => {
  const { task } = define({ poolSize: 2, maxQueueDepth: 100 })
  await task.startWorkers()
  await task.spin(10)
  // Long and short calls at once: never more than one on a worker, so none waits behind a long
  // one while the other worker is free (the bench's makespan scenario measures the result).
  const durations = [40, 5, 5, 5, 40, 5, 5, 5, 40, 5, 5, 5]
  let most = 0
  await Promise.all(
    durations.map((ms) =>
      task.spin(ms).then(() => {
        most = Math.max(most, task.getState().queueDepth)
      }),
    ),
  )
  expect(most).toBe(2)
  expect(task.getState().maxInFlight).toBe(2)
})

test('no short call waits behind a call that has run long: it goes to the other worker', async () => {
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
  const spans: SpanEvent[] = []
  runtime.subscribeEvents((event) => {
    if (event.kind === 'span' && event.method === 'add') spans.push(event)
  })
  const { task } = define({ poolSize: 2, maxQueueDepth: 100 }, runtime)
  await task.startWorkers()
  await warm((i) => task.add(i, i), task.getState)
  expect(task.getState().maxInFlight).toBe(32)
  spans.length = 0
  const g = gate()
  const held = task.hold(g)
  const busy = await started(g)
  await new Promise((resolve) => setTimeout(resolve, 20))
  await Promise.all(Array.from({ length: 20 }, (_, i) => task.add(i, 1)))
  const other = spans.map((s) => s.workerIndex)
  expect(new Set(other).size).toBe(1)
  expect(String(other[0])).not.toBe(busy)
  release(g)
  await held
  expectDrained(task)
})

test('an explicit maxInFlight is a hard bound, whatever the calls cost', async () => {
  const { task } = define({ poolSize: 2, maxInFlight: 2, maxQueueDepth: 1000 })
  await task.startWorkers()
  for (let i = 0; i < 5; i++) await task.add(i, i)
  let most = 0
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      task.add(i, 1).then(() => {
        most = Math.max(most, task.getState().queueDepth)
      }),
    ),
  )
  expect(most).toBeLessThanOrEqual(2)
  expect(task.getState().maxInFlight).toBe(2)
})

test('a streaming method holds its worker: its task goes back to one call per worker', async () => {
  const runtime = createTaskRuntime()
  const task = runtime.defineTask<import('./fixtures/stream.worker').StreamAPI>({
    type: 'parallel',
    poolSize: 2,
    worker: () =>
      new Worker(new URL('./fixtures/stream.worker.ts', import.meta.url), { type: 'module' }),
  })
  await task.startWorkers()
  await warm((i) => task.plain(i), task.getState)
  expect(task.getState().maxInFlight).toBe(32)
  const chunks: unknown[] = []
  for await (const chunk of task.count(3)) chunks.push(chunk)
  expect(chunks).toEqual([0, 1, 2])
  expect(task.getState().maxInFlight).toBe(2)
  await task.dispose()
})
