/**
 * Restart timing with fake timers: the executor driven through a fake worker that can be told
 * to crash, so the backoff schedule is checked to the millisecond without waiting for it.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createTaskRuntime, WorkerCrashedError } from '../../src/index.js'
import { FakeWorker } from './support/fake-worker.js'

const flush = () => vi.advanceTimersByTimeAsync(0)

beforeEach(() => {
  vi.useFakeTimers()
  FakeWorker.spawned = []
})
afterEach(() => {
  vi.useRealTimers()
})

function defineEager(crashMaxRetries = 10) {
  const runtime = createTaskRuntime({ observability: { spans: 'off' } })
  return runtime.defineTask<{ run(): string }>({
    type: 'singleton',
    init: 'eager',
    crashMaxRetries,
    worker: () => new FakeWorker() as unknown as Worker,
  })
}

describe('restart backoff (fake timers)', () => {
  test('restarts after 100 ms, then 200, 400, 800, 1600, and at most 2000 ms', async () => {
    const task = defineEager()
    await flush()
    const delays = [100, 200, 400, 800, 1600, 2000, 2000]
    for (const delay of delays) {
      const before = FakeWorker.spawned.length
      FakeWorker.spawned.at(-1)!.crash()
      expect(task.getState()).toMatchObject({ workerStatus: 'crashed', failed: false })
      await vi.advanceTimersByTimeAsync(delay - 1)
      expect(FakeWorker.spawned.length, `still backing off before ${delay} ms`).toBe(before)
      await vi.advanceTimersByTimeAsync(1)
      expect(FakeWorker.spawned.length, `restarted at ${delay} ms`).toBe(before + 1)
    }
    await task.dispose()
  })

  test('a completed call resets the delay to 100 ms', async () => {
    const task = defineEager()
    await flush()
    FakeWorker.spawned.at(-1)!.crash()
    await vi.advanceTimersByTimeAsync(100)
    FakeWorker.spawned.at(-1)!.crash()
    await vi.advanceTimersByTimeAsync(200)
    await expect(task.run()).resolves.toBe('ok')
    const before = FakeWorker.spawned.length
    FakeWorker.spawned.at(-1)!.crash()
    await vi.advanceTimersByTimeAsync(100)
    expect(FakeWorker.spawned.length).toBe(before + 1)
    await task.dispose()
  })

  test('dispose() during the delay cancels the restart', async () => {
    const task = defineEager()
    await flush()
    FakeWorker.spawned.at(-1)!.crash()
    await task.dispose()
    await vi.advanceTimersByTimeAsync(5000)
    expect(FakeWorker.spawned).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  test('crashMaxRetries + 1 crashes in a row fail the task; calls then reject at once', async () => {
    const task = defineEager(2)
    await flush()
    for (let i = 0; i < 2; i++) {
      FakeWorker.spawned.at(-1)!.crash()
      await vi.advanceTimersByTimeAsync(2000)
    }
    FakeWorker.spawned.at(-1)!.crash()
    expect(task.getState()).toMatchObject({ failed: true, workerStatus: 'crashed' })
    await expect(task.run()).rejects.toBeInstanceOf(WorkerCrashedError)
    await vi.advanceTimersByTimeAsync(5000)
    expect(FakeWorker.spawned).toHaveLength(3)
    await task.dispose()
  })

  test('a lazy task restarts a crashed worker after its backoff, without waiting for a call', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'off' } })
    const task = runtime.defineTask<{ run(): string }>({
      type: 'singleton',
      worker: () => new FakeWorker() as unknown as Worker,
    })
    await expect(task.run()).resolves.toBe('ok')
    FakeWorker.spawned[0]!.crash()
    expect(task.getState()).toMatchObject({ activeWorkers: 0, workerStatus: 'crashed' })
    await vi.advanceTimersByTimeAsync(99)
    expect(FakeWorker.spawned).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    // Warm again before anyone asks: the next call pays no cold start.
    expect(FakeWorker.spawned).toHaveLength(2)
    expect(task.getState()).toMatchObject({ activeWorkers: 1, workerStatus: 'running' })
    await task.dispose()
  })

  test('an idle timeout stops the worker, and the next call starts one', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'off' } })
    const task = runtime.defineTask<{ run(): string }>({
      type: 'singleton',
      idleTimeoutMs: 1000,
      worker: () => new FakeWorker() as unknown as Worker,
    })
    await expect(task.run()).resolves.toBe('ok')
    await vi.advanceTimersByTimeAsync(999)
    expect(task.getState().activeWorkers).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(task.getState().activeWorkers).toBe(0)
    expect(FakeWorker.spawned[0]!.terminated).toBe(true)
    await expect(task.run()).resolves.toBe('ok')
    expect(FakeWorker.spawned).toHaveLength(2)
    await task.dispose()
  })
})
