/** Priorities where there is no Scheduler API (Node has no TaskController): they work, nothing throws. */
import { afterEach, expect, test } from 'vitest'
import { createTaskRuntime } from '../../src/index.js'
import { FakeWorker } from './support/fake-worker.js'

afterEach(() => {
  FakeWorker.spawned = []
})

test('with({ priority }) orders queued calls, and a plain signal leaves the default', async () => {
  expect(typeof (globalThis as { TaskController?: unknown }).TaskController).toBe('undefined')
  const task = createTaskRuntime().defineTask<{ run(label: string): string }>({
    type: 'singleton',
    maxQueueDepth: 10,
    worker: () => new FakeWorker() as unknown as Worker,
  })
  await task.startWorkers()
  const worker = FakeWorker.spawned[0]!
  worker.holding = true
  // Held by the worker, so the calls after it queue up.
  const first = task.run('first')
  const signal = new AbortController().signal
  const calls = [
    first,
    task.with({ priority: 'background' }).run('bg'),
    task.with({ signal }).run('plain-signal'),
    task.with({ priority: 'user-blocking' }).run('ub'),
  ]
  worker.release()
  await Promise.all(calls)
  expect(worker.received.map((args) => args[0])).toEqual(['first', 'ub', 'plain-signal', 'bg'])
  await task.dispose()
})
