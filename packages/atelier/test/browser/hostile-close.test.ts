/**
 * Issue 11, class 4: a worker that goes away without crashing. A handler that calls
 * `self.close()` (at once, or a moment later) raises no error event; its calls must fail like a
 * crash's, and later calls run on a restarted worker instead of waiting for ever.
 */
import { describe, expect, test } from 'vitest'
import { createTaskRuntime, WorkerCrashedError } from '../../src/index'
import type { ClosingAPI } from './fixtures/closing.worker'
import { gate, release, started } from './fixtures/harness'
import {
  defineHostile,
  expectDrained,
  expectNoPageErrors,
  settleCounter,
  sleep,
  track,
} from './fixtures/hostile-define'

expectNoPageErrors()

/** The call rejected with WorkerCrashedError whose cause says the worker ended itself (self.close()). */
function expectClosed(result: { ok: boolean; error?: any }) {
  expect(result.ok).toBe(false)
  expect(result.error).toBeInstanceOf(WorkerCrashedError)
  expect(String(result.error.cause?.message)).toMatch(/ended itself \(self\.close\(\)\)/)
}

describe('a handler that closes its worker', () => {
  test.each(['sync', 'async'] as const)(
    'self.close() now (%s): the call fails as crashed, the next runs on a new worker',
    async (mode) => {
      const { task, workers } = defineHostile()
      await expect(task.whoami()).resolves.toBe('0')
      expectClosed(await settleCounter(task.make('close', mode)).result)
      await expect(task.whoami()).resolves.toBe('1')
      expect(task.getState().lastCrash?.error.message).toMatch(/ended itself \(self\.close\(\)\)/)
      expect(workers.created).toBe(2)
      expectDrained(task)
    },
  )

  test('self.close() in a timer a moment later, while the call waits: the call fails as crashed', async () => {
    const { task } = defineHostile({ maxQueueDepth: 4 })
    const closing = settleCounter(task.make('close-soon', 'sync'))
    // Queued behind it on the same (singleton) worker: runs on the next one.
    const queued = task.whoami()
    expectClosed(await closing.result)
    await expect(queued).resolves.toBe('1')
  })

  test('self.close() after the call answered: later calls run on a new worker, none hangs', async () => {
    const { task } = defineHostile({ timeoutMs: 3000 })
    // The handler throws its pending promise, so the call fails at once; the close comes later.
    const first = await settleCounter(task.make('close-soon', 'throw')).result
    expect(first.ok).toBe(false)
    await sleep(80)
    await expect(task.whoami()).resolves.toBe('1')
    await expect(task.add(1, 2)).resolves.toBe(3)
  })

  test('restart-fail-in-flight: calls sharing the closed worker fail; another worker is untouched', async () => {
    const { task } = defineHostile({ type: 'parallel', poolSize: 2, maxInFlight: 4 })
    const [a, b] = [gate('close-a'), gate('close-b')]
    const held = { a: settleCounter(task.hold(a)), b: settleCounter(task.hold(b)) }
    const names = { a: await started(a), b: await started(b) }
    expect(new Set(Object.values(names))).toEqual(new Set(['0', '1']))
    // Both workers hold one call: least-busy breaks the tie, so either may get this one.
    expectClosed(await settleCounter(task.make('close', 'sync')).result)
    const closed = task.getState().lastCrash!.workerIndex === 0 ? '0' : '1'
    release(a, 'a')
    release(b, 'b')
    for (const key of ['a', 'b'] as const) {
      const result = await held[key].result
      if (names[key] === closed) expectClosed(result)
      else expect(result).toEqual({ ok: true, value: key })
    }
    await expect(task.add(1, 1)).resolves.toBe(2)
    expectDrained(task)
  })

  test('restart-requeue-in-flight: the closing call and its neighbour run again on a new worker', async () => {
    const { task } = defineHostile({
      maxInFlight: 2,
      crashPolicy: 'restart-requeue-in-flight',
    })
    const g = gate('close-neighbour')
    const neighbour = task.hold(g)
    expect(await started(g)).toBe('0')
    const closing = task.closeInFirstWorker(7)
    await expect(closing).resolves.toBe('7@1')
    release(g, 'replayed')
    await expect(neighbour).resolves.toBe('replayed')
    expect(task.getState()).toMatchObject({ failed: false, totalDispatched: 4 })
    expectDrained(task)
  })
})

describe('a comlink-form worker (expose(createTaskWorker(handlers))) that closes itself', () => {
  test('is detected the same way', async () => {
    let spawned = 0
    const task = track(
      createTaskRuntime().defineTask<ClosingAPI>({
        type: 'singleton',
        worker: () =>
          new Worker(new URL('./fixtures/closing.worker.ts', import.meta.url), {
            type: 'module',
            name: String(spawned++),
          }),
      }),
    )
    await expect(task.whoami()).resolves.toBe('0')
    expectClosed(await settleCounter(task.close()).result)
    await expect(task.whoami()).resolves.toBe('1')
  })
})
