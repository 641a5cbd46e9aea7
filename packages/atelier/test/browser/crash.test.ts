import { describe, expect, test } from 'vitest'
import { createTaskRuntime, WorkerCrashedError } from '../../src/index'
import { define, outcome } from './fixtures/define'
import { gate, release, started } from './fixtures/harness'

describe('crash recovery', () => {
  test('restart-fail-in-flight: the running call fails, the worker restarts, later calls work', async () => {
    const { task, workers } = define({ type: 'singleton' })
    const error = await task.crash().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(error).toMatchObject({ name: 'WorkerCrashedError', taskId: 'task-1', workerIndex: 0 })
    // Backing off before the restart is not a failed task.
    expect(task.getState()).toMatchObject({ workerStatus: 'crashed', failed: false })
    expect(String((error as Error).cause)).toContain('boom')
    const state = task.getState()
    expect(state.lastCrash).toMatchObject({ workerIndex: 0, ts: expect.any(Number) })
    expect(state.lastCrash?.error.message).toContain('boom')
    await expect(task.whoami()).resolves.toBe('1')
    expect(workers.spawned).toBe(2)
  })

  test('restart-fail-in-flight fails only the calls on the crashed worker', async () => {
    const { task } = define({ poolSize: 2 })
    const g = gate()
    const survivor = task.hold(g)
    const worker = await started(g)
    // least-busy sends the crash to the other worker.
    const crashed = outcome(task.crash())
    expect((await crashed).ok).toBe(false)
    release(g)
    await expect(survivor).resolves.toBeUndefined()
    expect(worker).toBe('0')
  })

  test('restart-requeue-in-flight: the call runs again on a new worker and succeeds', async () => {
    const { task } = define({ type: 'singleton', crashPolicy: 'restart-requeue-in-flight' })
    await expect(task.crashInFirstWorker(7)).resolves.toBe('7@1')
    expect(task.getState()).toMatchObject({ totalDispatched: 2, queueDepth: 0 })
  })

  test('requeue keeps the order of queued calls behind the replayed one', async () => {
    const { task } = define({
      type: 'singleton',
      maxQueueDepth: 3,
      crashPolicy: 'restart-requeue-in-flight',
    })
    const order: string[] = []
    const calls = [1, 2, 3].map((n) =>
      task.crashInFirstWorker(n).then((value) => order.push(value)),
    )
    await Promise.all(calls)
    expect(order).toEqual(['1@1', '2@1', '3@1'])
  })

  test('a requeued call is retried at most crashMaxRetries times', async () => {
    const { task } = define({
      type: 'singleton',
      crashPolicy: 'restart-requeue-in-flight',
      crashMaxRetries: 1,
    })
    const error = await task.crash().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(task.getState().totalDispatched).toBe(2)
  })

  test('a call whose arguments were transferred is not replayed', async () => {
    const { task } = define({ type: 'singleton', crashPolicy: 'restart-requeue-in-flight' })
    const buffer = new ArrayBuffer(8)
    // echo never crashes, so use the crash handler with a transferred buffer argument.
    const crash = (task as unknown as { crash: (b: ArrayBuffer) => Promise<unknown> }).crash
    const error = await crash(buffer).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(buffer.byteLength).toBe(0)
    expect(task.getState().totalDispatched).toBe(1)
  })

  test('fail-task: every queued and running call fails, and so do later calls until startWorkers()', async () => {
    const { task } = define({ type: 'singleton', crashPolicy: 'fail-task', maxQueueDepth: 2 })
    const crashed = outcome(task.crash())
    const queued = outcome(task.add(1, 2))
    const [r1, r2] = await Promise.all([crashed, queued])
    expect(r1.ok === false && r1.error).toBeInstanceOf(WorkerCrashedError)
    expect(r2.ok === false && r2.error).toBeInstanceOf(WorkerCrashedError)
    expect(task.getState()).toMatchObject({
      workerStatus: 'crashed',
      failed: true,
      activeWorkers: 0,
    })
    await expect(task.add(1, 2)).rejects.toBeInstanceOf(WorkerCrashedError)
    await task.startWorkers()
    expect(task.getState()).toMatchObject({ workerStatus: 'running', failed: false })
    await expect(task.add(1, 2)).resolves.toBe(3)
  })

  test('crashMaxRetries consecutive crashes escalate to failing the task', async () => {
    const { task } = define({ type: 'singleton', crashMaxRetries: 2 })
    for (let i = 0; i < 2; i++) {
      await expect(task.crash()).rejects.toBeInstanceOf(WorkerCrashedError)
    }
    // The third crash in a row exceeds the budget: the task fails.
    const error = await task.crash().catch((e: unknown) => e)
    expect((error as Error).message).toContain('crashed 3 times in a row')
    expect(task.getState().workerStatus).toBe('crashed')
    await expect(task.add(1, 1)).rejects.toBeInstanceOf(WorkerCrashedError)
  })

  test('a completed call resets the consecutive-crash count', async () => {
    const { task } = define({ type: 'singleton', crashMaxRetries: 1 })
    await expect(task.crash()).rejects.toBeInstanceOf(WorkerCrashedError)
    await expect(task.add(1, 1)).resolves.toBe(2)
    await expect(task.crash()).rejects.toBeInstanceOf(WorkerCrashedError)
    await expect(task.add(2, 2)).resolves.toBe(4)
  })

  test('a worker script that cannot load fails its callers within the retry budget', async () => {
    const runtime = createTaskRuntime()
    const task = runtime.defineTask<{ ping(): number }>({
      type: 'parallel',
      poolSize: 2,
      crashMaxRetries: 2,
      worker: () => new Worker(`/does-not-exist-${Math.random()}.js`, { type: 'module' }),
    })
    const error = await task.ping().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(task.getState().workerStatus).toBe('crashed')
    await task.dispose()
  })

  test('a worker that throws while loading fails its queued callers too (requeue policy)', async () => {
    const runtime = createTaskRuntime()
    const task = runtime.defineTask<{ ping(): number }>({
      type: 'singleton',
      crashPolicy: 'restart-requeue-in-flight',
      maxQueueDepth: 3,
      worker: () =>
        new Worker(new URL('./fixtures/broken.worker.ts', import.meta.url), { type: 'module' }),
    })
    const results = await Promise.allSettled([task.ping(), task.ping(), task.ping()])
    for (const result of results) {
      expect(result.status).toBe('rejected')
      expect(result.status === 'rejected' && result.reason).toBeInstanceOf(WorkerCrashedError)
    }
    expect(task.getState().lastCrash?.error.message).toContain('broken at load')
    await task.dispose()
  })

  test('a worker factory that throws is a crash, not a thrown call', async () => {
    const runtime = createTaskRuntime()
    const task = runtime.defineTask<{ ping(): number }>({
      type: 'singleton',
      crashMaxRetries: 0,
      worker: () => {
        throw new Error('no workers here')
      },
    })
    const error = await task.ping().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(((error as Error).cause as Error).message).toBe('no workers here')
    await task.dispose()
  })

  test('a worker that never exposes a harness fails its callers after connectTimeoutMs', async () => {
    const runtime = createTaskRuntime()
    const task = runtime.defineTask<{ ping(): number }>({
      type: 'singleton',
      crashMaxRetries: 1,
      connectTimeoutMs: 100,
      worker: () =>
        new Worker(new URL('./fixtures/silent.worker.ts', import.meta.url), { type: 'module' }),
    })
    const error = await task.ping().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(String((error as Error).cause)).toContain('did not connect within 100 ms')
    await task.dispose()
  })

  test('a worker exposing something else is told apart at once', async () => {
    const runtime = createTaskRuntime()
    const task = runtime.defineTask<{ ping(): number }>({
      type: 'singleton',
      crashMaxRetries: 0,
      worker: () =>
        new Worker(new URL('./fixtures/foreign.worker.ts', import.meta.url), { type: 'module' }),
    })
    const error = await task.ping().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(String((error as Error).cause)).toContain('does not serve a task harness')
    await task.dispose()
  })
})
