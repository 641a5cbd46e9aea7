/**
 * Issue 11, class 5: a worker that sets itself up (WASM, a model) before it serves. Calls made
 * before it is ready wait for it and are answered; `connectTimeoutMs` bounds the wait.
 */
import { describe, expect, test } from 'vitest'
import { createTaskRuntime, WorkerCrashedError } from '../../src/index'
import { expectNoPageErrors, track, workerCounter } from './fixtures/hostile-define'
import type { LateAPI } from './fixtures/late.worker'

expectNoPageErrors()

const DELAY = 300

function defineLate(
  file: 'late' | 'late-comlink',
  config: { connectTimeoutMs?: number; crashMaxRetries?: number; poolSize?: number } = {},
) {
  const workers = workerCounter(file, `;delay=${DELAY}`)
  const task = track(
    createTaskRuntime().defineTask<LateAPI>({
      type: 'parallel',
      poolSize: config.poolSize ?? 1,
      worker: workers.factory,
      ...config,
    }),
  )
  return { task, workers }
}

describe.each([
  ['serve(handlers)', 'late'],
  ['expose(createTaskWorker(handlers)) with comlink', 'late-comlink'],
] as const)('a worker that awaits its set-up before %s', (_, file) => {
  test('answers the calls made before it was ready, once it is', async () => {
    const { task, workers } = defineLate(file, { poolSize: 2 })
    const calls = [task.add(1, 2), task.add(3, 4), task.sinceReady(), task.sinceReady()]
    const [three, seven, since1, since2] = await Promise.all(calls)
    expect([three, seven]).toEqual([3, 7])
    // Posted only once the worker served: never before its set-up ended.
    expect(since1).toBeGreaterThanOrEqual(0)
    expect(since2).toBeGreaterThanOrEqual(0)
    expect(task.getState()).toMatchObject({ lastCrash: undefined, activeWorkers: 2 })
    expect(workers.created).toBe(2)
  })

  test('startWorkers() resolves once every worker served', async () => {
    const { task } = defineLate(file, { poolSize: 2 })
    await task.startWorkers()
    expect(task.getState()).toMatchObject({ activeWorkers: 2, lastCrash: undefined })
    await expect(task.sinceReady()).resolves.toBeGreaterThanOrEqual(0)
  })

  test('a connectTimeoutMs longer than the set-up works', async () => {
    const { task } = defineLate(file, { connectTimeoutMs: 5 * DELAY })
    await expect(task.add(20, 22)).resolves.toBe(42)
    expect(task.getState().lastCrash).toBeUndefined()
  })

  test('a connectTimeoutMs shorter than the set-up fails the worker, naming the option', async () => {
    const { task } = defineLate(file, { connectTimeoutMs: DELAY / 3, crashMaxRetries: 0 })
    const call = task.add(1, 1).catch((e: unknown) => e)
    const error = await task.startWorkers().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(String((error as Error).cause)).toMatch(/connectTimeoutMs/)
    const failed = await call
    expect(failed).toBeInstanceOf(WorkerCrashedError)
    expect(String((failed as Error).cause)).toMatch(/did not connect within 100 ms/)
  })
})
