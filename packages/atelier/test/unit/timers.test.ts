/**
 * Timers that browser tests could only check against the wall clock (an idle timeout that must
 * not fire, snapshots that must not be pushed), checked to the millisecond with fake timers and
 * a stand-in worker instead.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createTaskRuntime, type RuntimeSnapshot } from '../../src/index.js'
import { FakeWorker } from './support/fake-worker.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWorker.spawned = []
})
afterEach(() => {
  vi.useRealTimers()
})

function define(options: { idleTimeoutMs?: number; maxQueueDepth?: number } = {}) {
  const runtime = createTaskRuntime({ observability: { spans: 'off' } })
  const task = runtime.defineTask<{ run(): string }>({
    type: 'singleton',
    worker: () => new FakeWorker() as unknown as Worker,
    ...options,
  })
  return { runtime, task }
}

describe('idle timeout', () => {
  test('does not stop a worker that is busy, however long the call', async () => {
    const { task } = define({ idleTimeoutMs: 30 })
    await task.startWorkers()
    const worker = FakeWorker.spawned[0]!
    worker.holding = true
    const call = task.run()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(worker.terminated).toBe(false)
    worker.release()
    await expect(call).resolves.toBe('ok')
    await vi.advanceTimersByTimeAsync(29)
    expect(worker.terminated).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(worker.terminated).toBe(true)
    await task.dispose()
  })
})

describe('snapshot pushes', () => {
  test('a quiet runtime pushes nothing; an unsubscribed listener hears nothing more', async () => {
    const { runtime, task } = define()
    const snapshots: RuntimeSnapshot[] = []
    const unsubscribe = runtime.subscribeRuntimeSnapshot((s) => snapshots.push(s), {
      intervalMs: 10,
    })
    await expect(task.run()).resolves.toBe('ok')
    await vi.advanceTimersByTimeAsync(10)
    const count = snapshots.length
    await vi.advanceTimersByTimeAsync(10_000)
    expect(snapshots.length).toBe(count)
    unsubscribe()
    await task.run()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(snapshots.length).toBe(count)
    await task.dispose()
  })

  test('a burst is coalesced to one snapshot per interval, the last one current', async () => {
    const { runtime, task } = define({ maxQueueDepth: 100 })
    await task.startWorkers()
    const snapshots: RuntimeSnapshot[] = []
    runtime.subscribeRuntimeSnapshot((s) => snapshots.push(s), {
      intervalMs: 200,
      emitImmediately: false,
    })
    const worker = FakeWorker.spawned[0]!
    worker.holding = true
    const calls = Array.from({ length: 50 }, () => task.run())
    await vi.advanceTimersByTimeAsync(0)
    // The burst's first changes: one snapshot, at once.
    expect(snapshots).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(50)
    worker.release()
    await Promise.all(calls)
    // Hundreds of changes since: nothing more until the interval is over...
    await vi.advanceTimersByTimeAsync(149)
    expect(snapshots).toHaveLength(1)
    // ...then one, with the state as it is then.
    await vi.advanceTimersByTimeAsync(1)
    expect(snapshots).toHaveLength(2)
    expect(snapshots.at(-1)!.tasks[0]).toMatchObject({ queueDepth: 0, totalDispatched: 50 })
    await task.dispose()
  })
})
