import { describe, expect, test } from 'vitest'
import { createTaskRuntime, TaskDisposedError } from '../../src/index'
import { define, outcome } from './fixtures/define'
import { countingFactory, gate, release, started } from './fixtures/harness'

describe('lifecycle', () => {
  test('lazy tasks spawn no worker until a call needs one', async () => {
    const { task, workers } = define({ poolSize: 2 })
    await Promise.resolve()
    expect(workers.spawned).toBe(0)
    expect(task.getState()).toMatchObject({ activeWorkers: 0, workerStatus: 'stopped' })
    await task.add(1, 1)
    // One call, one worker: the second slot is spawned only when work needs it.
    expect(workers.spawned).toBe(1)
    expect(task.getState()).toMatchObject({ activeWorkers: 1, workerStatus: 'running' })
  })

  test("a lazy task's first call starts its worker before anything else it does", async () => {
    // Before keyOf, queueing and dispatch: the worker's start overlaps the call's own first run.
    const order: string[] = []
    const counting = countingFactory()
    const { task } = define({
      worker: () => {
        order.push('worker')
        return counting.factory()
      },
      keyOf: (a) => {
        order.push('keyOf')
        if (a === -1) throw new Error('no key for -1')
        return undefined
      },
    })
    // A call refused after all (its keyOf throws) leaves that worker idle, ready for the next.
    expect(await outcome(task.add(-1, 0))).toMatchObject({ ok: false })
    expect(await task.add(1, 2)).toBe(3)
    expect(order).toEqual(['worker', 'keyOf', 'keyOf'])
    expect(counting.spawned).toBe(1)
  })

  test('a first call that is refused or must wait starts no worker', async () => {
    const disposed = define()
    await disposed.task.dispose()
    expect(await outcome(disposed.task.add(1, 2))).toMatchObject({ ok: false })
    expect(disposed.workers.spawned).toBe(0)

    const paused = define()
    await paused.task.stopWorkers()
    const call = paused.task.add(1, 2)
    await Promise.resolve()
    expect(paused.workers.spawned).toBe(0)
    await paused.task.startWorkers()
    expect(await call).toBe(3)
  })

  test("a worker gets its next call before the answered call's listeners run", async () => {
    // One worker, one call at a time: the second call waits for the first's answer.
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const { task } = define({ type: 'singleton', maxInFlight: 1 }, runtime)
    const seen: Array<{ pending: number; running: number }> = []
    runtime.subscribeEvents((event) => {
      // The first span is the first call's: the second cannot end before it.
      if (event.kind !== 'span' || seen.length > 0) return
      const state = task.getState()
      seen.push({ pending: state.pendingQueueDepth, running: state.queueDepth })
    })
    expect(await Promise.all([task.add(1, 1), task.add(2, 2)])).toEqual([2, 4])
    // When the first call's span was heard, the second had already left the queue for the worker.
    expect(seen).toEqual([{ pending: 0, running: 1 }])
  })

  test('eager tasks spawn the whole pool at definition', async () => {
    const { task, workers } = define({ poolSize: 3, init: 'eager' })
    expect(workers.spawned).toBe(3)
    expect(task.getState().activeWorkers).toBe(3)
    await task.startWorkers()
    expect(workers.spawned).toBe(3)
  })

  test('worker counts keep the seed meanings: total is the pool, active is alive, busy has a call', async () => {
    const { task } = define({ poolSize: 3 })
    expect(task.getState()).toMatchObject({ totalWorkers: 3, activeWorkers: 0, busyWorkers: 0 })
    const g = gate()
    const held = task.hold(g)
    await started(g)
    expect(task.getState()).toMatchObject({ totalWorkers: 3, activeWorkers: 1, busyWorkers: 1 })
    release(g, 'done')
    await held
    expect(task.getState()).toMatchObject({ totalWorkers: 3, activeWorkers: 1, busyWorkers: 0 })
  })

  test('startWorkers() warms a lazy pool and resolves when every worker is ready', async () => {
    const { task, workers } = define({ poolSize: 2 })
    await task.startWorkers()
    expect(workers.spawned).toBe(2)
    expect(task.getState()).toMatchObject({ activeWorkers: 2, workerStatus: 'running' })
  })

  test('stopWorkers() pauses and requeues in-flight calls; startWorkers() runs them', async () => {
    const { task, workers } = define({ type: 'singleton', maxQueueDepth: 2 })
    const g = gate()
    const call = task.hold(g)
    await started(g)
    await task.stopWorkers()
    expect(task.getState()).toMatchObject({
      taskStatus: 'paused',
      workerStatus: 'stopped',
      activeWorkers: 0,
      queueDepth: 0,
      pendingQueueDepth: 1,
    })
    // New calls are accepted while paused, and wait.
    const later = task.add(1, 2)
    expect(task.getState().pendingQueueDepth).toBe(2)
    await task.startWorkers()
    // The requeued call runs again on the new worker: release it there, not before it listens.
    await started(g, '1')
    release(g)
    await expect(call).resolves.toBeUndefined()
    await expect(later).resolves.toBe(3)
    expect(workers.spawned).toBe(2)
  })

  test('dispose() rejects queued and in-flight calls, terminates workers, and is idempotent', async () => {
    const { task, runtime } = define({ type: 'singleton', maxQueueDepth: 1 })
    const g = gate()
    const running = outcome(task.hold(g))
    const pending = outcome(task.add(1, 1))
    const waiting = outcome(task.add(2, 2))
    await started(g)
    expect(runtime.getRuntimeSnapshot().tasks).toHaveLength(1)
    await task.dispose()
    await task.dispose()
    for (const result of await Promise.all([running, pending, waiting])) {
      expect(result.ok === false && result.error).toBeInstanceOf(TaskDisposedError)
    }
    expect(task.getState()).toMatchObject({
      activeWorkers: 0,
      queueDepth: 0,
      pendingQueueDepth: 0,
      waitingQueueDepth: 0,
    })
    await expect(task.add(1, 1)).rejects.toBeInstanceOf(TaskDisposedError)
    await expect(task.startWorkers()).rejects.toBeInstanceOf(TaskDisposedError)
    expect(runtime.getRuntimeSnapshot().tasks).toHaveLength(0)
  })
})

describe('runtime', () => {
  test('snapshots list each task with its id, name and init', async () => {
    const { runtime } = define({ taskId: 'resize', taskName: 'Resize', poolSize: 2 })
    expect(runtime.getRuntimeSnapshot().tasks).toEqual([
      expect.objectContaining({
        taskId: 'resize',
        taskName: 'Resize',
        init: 'lazy',
        poolSize: 2,
        type: 'parallel',
      }),
    ])
  })

  test('taskIds are unique within a runtime', () => {
    const { runtime } = define({ taskId: 'x' })
    expect(() => define({ taskId: 'x' }, runtime)).toThrow(/taskId must be unique/)
  })
})
