/**
 * Issue 11, class 7: worker factories that do not return a new Worker. Calls fail with
 * `WorkerCrashedError` whose cause says what the factory returned; `startWorkers()` settles,
 * naming the failing worker; no phantom worker is counted; `dispose()` never throws and the task
 * leaves the runtime's snapshot.
 */
import { describe, expect, test } from 'vitest'
import { createTaskRuntime, type Task, type TaskConfig, WorkerCrashedError } from '../../src/index'
import type { HostileAPI } from './fixtures/hostile.worker'
import {
  expectNoPageErrors,
  settleCounter,
  sleep,
  track,
  workerCounter,
} from './fixtures/hostile-define'

expectNoPageErrors()

function defineWith(worker: () => unknown, config: Partial<TaskConfig<HostileAPI>> = {}) {
  const runtime = createTaskRuntime()
  let task: Task<HostileAPI> | undefined
  try {
    task = runtime.defineTask<HostileAPI>({
      type: 'singleton',
      worker: worker as TaskConfig['worker'],
      ...config,
    })
  } catch (error) {
    throw new Error(`defineTask threw: ${String(error)}`)
  }
  track(task)
  return { runtime, task }
}

/** Disposes without a synchronous throw, and checks the task left the snapshot. */
async function disposeCleanly(runtime: ReturnType<typeof createTaskRuntime>, task: Task<any>) {
  let disposed: Promise<void>
  try {
    disposed = task.dispose()
  } catch (error) {
    throw new Error(`dispose() threw: ${String(error)}`)
  }
  await expect(disposed).resolves.toBeUndefined()
  expect(runtime.getRuntimeSnapshot().tasks).toEqual([])
}

const BAD_FACTORIES: Array<[string, () => unknown, RegExp]> = [
  ['() => null', () => null, /must return a new Worker, but it returned null/],
  ['() => undefined', () => undefined, /must return a new Worker, but it returned undefined/],
  ['() => 42', () => 42, /must return a new Worker, but it returned number/],
  ['() => ({})', () => ({}), /returned an object without postMessage, addEventListener, terminate/],
  [
    'an async factory',
    async () =>
      new Worker(new URL('./fixtures/hostile.worker.ts', import.meta.url), { type: 'module' }),
    /returned a Promise.*async/,
  ],
  [
    'a factory that throws',
    () => {
      throw new Error('no worker for you')
    },
    /no worker for you/,
  ],
  [
    'a factory that throws a string',
    () => {
      throw 'a string, thrown'
    },
    /a string, thrown/,
  ],
]

describe('a factory that returns no Worker', () => {
  test.each(BAD_FACTORIES)(
    '%s: calls and startWorkers() reject naming the problem',
    async (_, factory, problem) => {
      const { runtime, task } = defineWith(factory, { crashMaxRetries: 0 })
      const call = settleCounter(task.add(1, 2))
      const result = await call.result
      if (result.ok) throw new Error('the call resolved')
      expect(result.error).toBeInstanceOf(WorkerCrashedError)
      expect(result.error.workerIndex).toBe(0)
      expect(String(result.error.cause?.message ?? result.error.cause)).toMatch(problem)
      // No phantom worker was counted.
      expect(task.getState()).toMatchObject({ activeWorkers: 0, busyWorkers: 0, queueDepth: 0 })
      const started = await task.startWorkers().catch((e: unknown) => e)
      expect(started).toBeInstanceOf(WorkerCrashedError)
      expect((started as WorkerCrashedError).workerIndex).toBe(0)
      expect(String((started as Error).cause)).toMatch(problem)
      await disposeCleanly(runtime, task)
      expect(call.count()).toBe(1)
    },
  )

  test.each(BAD_FACTORIES)(
    '%s, eager: defineTask does not throw and dispose() is clean',
    async (_, factory) => {
      const { runtime, task } = defineWith(factory, { init: 'eager' })
      expect(task.getState().activeWorkers).toBe(0)
      await disposeCleanly(runtime, task)
    },
  )
})

describe('one Worker for two places', () => {
  test('the same Worker returned for two slots: the second is refused, naming it; the first works', async () => {
    const workers = workerCounter()
    let shared: Worker | undefined
    const { runtime, task } = defineWith(() => (shared ??= workers.factory()), {
      type: 'parallel',
      poolSize: 2,
    })
    const error = await task.startWorkers().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect((error as WorkerCrashedError).workerIndex).toBe(1)
    expect((error as Error).message).toMatch(/Worker 1\b/)
    expect(String((error as Error).cause)).toMatch(/another slot already uses/)
    await expect(task.add(2, 3)).resolves.toBe(5)
    expect(task.getState().activeWorkers).toBe(1)
    await disposeCleanly(runtime, task)
    expect(workers.alive()).toBe(0)
  })

  test('a factory that hands back its one cached Worker: after stopWorkers() the terminated Worker is refused at once', async () => {
    const workers = workerCounter()
    let cached: Worker | undefined
    const { runtime, task } = defineWith(() => (cached ??= workers.factory()), {
      connectTimeoutMs: 10_000,
    })
    await expect(task.add(1, 1)).resolves.toBe(2)
    await task.stopWorkers()
    // The factory returns the Worker stopWorkers() terminated: it can never answer. Saying so
    // must not wait for connectTimeoutMs.
    const restart = task.startWorkers().then(
      () => 'resolved',
      (e: unknown) => e,
    )
    const outcome = await Promise.race([restart, sleep(2000).then(() => 'still waiting')])
    expect(outcome).toBeInstanceOf(WorkerCrashedError)
    expect(String((outcome as Error).cause)).toMatch(/new Worker/)
    await disposeCleanly(runtime, task)
  })
})

describe('startWorkers() with a factory that fails for one slot', () => {
  test('throwing only for slot 1: startWorkers() rejects at once naming worker 1; slot 0 serves calls', async () => {
    const workers = workerCounter()
    let made = 0
    const { runtime, task } = defineWith(
      () => {
        if (made++ === 1) throw new Error('slot 1 cannot start')
        return workers.factory()
      },
      { type: 'parallel', poolSize: 2 },
    )
    const error = await task.startWorkers().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect((error as WorkerCrashedError).workerIndex).toBe(1)
    expect((error as Error).message).toMatch(/Worker 1 of task/)
    expect(String((error as Error).cause)).toMatch(/slot 1 cannot start/)
    await expect(task.add(20, 22)).resolves.toBe(42)
    await disposeCleanly(runtime, task)
    expect(workers.alive()).toBe(0)
  })

  test('a factory that fails for ever, with retries left: startWorkers() still settles', async () => {
    const { runtime, task } = defineWith(() => null, { type: 'parallel', poolSize: 3 })
    const error = await task.startWorkers().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(String((error as Error).cause)).toMatch(/returned null/)
    await disposeCleanly(runtime, task)
  })
})

describe('no Worker outlives dispose()', () => {
  test('an async factory: the Workers its promises resolve to are terminated too', async () => {
    const workers = workerCounter()
    const { runtime, task } = defineWith(async () => workers.factory(), { crashMaxRetries: 0 })
    await settleCounter(task.add(1, 2)).result
    await disposeCleanly(runtime, task)
    await sleep(20)
    expect(workers.created).toBeGreaterThan(0)
    expect(workers.alive()).toBe(0)
  })
})
