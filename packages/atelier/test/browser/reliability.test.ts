import { afterEach, describe, expect, test, vi } from 'vitest'
import { createTaskRuntime, type Task, WorkerCrashedError } from '../../src/index'
import { executorOf as executorBehind } from '../../src/task'
import { define, outcome } from './fixtures/define'
import { gate, started, tick } from './fixtures/harness'
import type { TestAPI } from './fixtures/test.worker'

const executorOf = (task: Task<TestAPI>) => executorBehind(task)!

afterEach(() => {
  vi.restoreAllMocks()
})

describe('errors across the thread boundary', () => {
  test('name, message, worker stack, cause chain and own fields survive; uncloneables are described', async () => {
    const { task } = define({ type: 'singleton' })
    const error = (await task.throwRich().catch((e: unknown) => e)) as Error & Record<string, any>
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('ImportError')
    expect(error.message).toBe('top')
    expect(error.code).toBe(42)
    expect(error.callback).toMatch(/uncloneable: function onDone/)
    expect(error.stack).toContain('throwRich')
    expect(error.stack).toContain('test.worker')
    const middle = error.cause as Error & { code: string }
    expect(middle).toBeInstanceOf(Error)
    expect(middle).toMatchObject({ message: 'middle', code: 'E_MIDDLE' })
    expect(middle.cause).toBeInstanceOf(TypeError)
    expect((middle.cause as Error).message).toBe('root cause')
  })

  test('an AggregateError keeps its errors', async () => {
    const { task } = define({ type: 'singleton' })
    const error = await task.throwAggregate().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AggregateError)
    const { errors, message } = error as AggregateError
    expect(message).toBe('several failed')
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(RangeError)
    expect(errors[1]).toMatchObject({ message: 'second' })
  })

  test('a thrown non-Error arrives as an Error carrying the value', async () => {
    const { task } = define({ type: 'singleton' })
    const error = await task.throwString().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe('plain string')
  })
})

describe('cancelGraceMs', () => {
  test('a handler that ignores cancellation has its worker replaced after the grace period', async () => {
    const { task, workers } = define({ type: 'singleton', cancelGraceMs: 50, maxQueueDepth: 4 })
    const g = gate()
    const controller = new AbortController()
    const call = outcome(task.with({ signal: controller.signal }).stubborn(g))
    expect(await started(g)).toBe('0')
    const next = task.whoami()
    controller.abort()
    expect((await call).ok).toBe(false)
    // The stubborn handler never returns, yet the queued call runs on a fresh worker.
    await expect(next).resolves.toBe('1')
    expect(workers.spawned).toBe(2)
    expect(task.getState()).toMatchObject({ queueDepth: 0, workerStatus: 'running' })
  })

  test('other calls on the killed worker follow the crash policy', async () => {
    const { task } = define({
      type: 'singleton',
      maxInFlight: 2,
      cancelGraceMs: 30,
      crashPolicy: 'restart-fail-in-flight',
    })
    const [stuck, bystander] = [gate('stuck'), gate('bystander')]
    const controller = new AbortController()
    const cancelled = outcome(task.with({ signal: controller.signal }).stubborn(stuck))
    const other = outcome(task.hold(bystander))
    await Promise.all([started(stuck), started(bystander)])
    controller.abort()
    const result = await other
    expect(result.ok === false && result.error).toBeInstanceOf(WorkerCrashedError)
    expect(result.ok === false && String(result.error.cause)).toContain('kept running')
    expect((await cancelled).ok).toBe(false)
  })

  test('a cooperative handler is not killed', async () => {
    const { task, workers } = define({ type: 'singleton', cancelGraceMs: 30 })
    const g = gate()
    const controller = new AbortController()
    const call = outcome(task.with({ signal: controller.signal }).hold(g))
    await started(g)
    controller.abort()
    await call
    await tick(80)
    await expect(task.whoami()).resolves.toBe('0')
    expect(workers.spawned).toBe(1)
  })
})

describe('the worker harness', () => {
  test('messages the app posts to the worker, or the worker posts to the page, do not disturb dispatch', async () => {
    const spawned: Worker[] = []
    const runtime = createTaskRuntime()
    const task = runtime.defineTask<TestAPI>({
      type: 'singleton',
      worker: () => {
        const worker = new Worker(new URL('./fixtures/test.worker.ts', import.meta.url), {
          type: 'module',
          name: 'chatty',
        })
        spawned.push(worker)
        return worker
      },
    })
    await task.startWorkers()
    const worker = spawned[0]!
    for (const message of [
      'hello',
      42,
      null,
      { type: 'call', id: 1, method: 'add', args: [1, 2] },
      { type: 'cancel', id: 1 },
      { type: 'APPLY', path: ['nope'], id: 'x' },
    ]) {
      worker.postMessage(message)
    }
    await expect(task.chatter()).resolves.toBe('ok')
    await expect(task.add(20, 22)).resolves.toBe(42)
    expect(task.getState()).toMatchObject({ totalDispatched: 2, lastCrash: undefined })
    await task.dispose()
  })
})

describe('shutdown', () => {
  test('dispose() during a restart backoff cancels the restart', async () => {
    const { task, workers } = define({ type: 'singleton', init: 'eager' })
    await task.startWorkers()
    await outcome(task.crash())
    expect(task.getState().workerStatus).toBe('crashed') // backing off
    await task.dispose()
    await tick(250)
    expect(workers.spawned).toBe(1)
  })
})

describe('memory stays flat', () => {
  test('100,000 calls with distinct keys, timeouts and signals leave no entry, listener or timer behind', async () => {
    const TIMEOUT = 987_654
    const live = new Set<unknown>()
    const realSetTimeout = window.setTimeout
    const realClearTimeout = window.clearTimeout
    vi.spyOn(window, 'setTimeout').mockImplementation(((
      fn: (...a: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ) => {
      if (ms !== TIMEOUT) return realSetTimeout(fn, ms, ...args)
      const id = realSetTimeout(
        (...a: unknown[]) => {
          live.delete(id)
          fn(...a)
        },
        ms,
        ...args,
      )
      live.add(id)
      return id
    }) as typeof setTimeout)
    vi.spyOn(window, 'clearTimeout').mockImplementation((id) => {
      live.delete(id)
      realClearTimeout(id)
    })
    let listeners = 0
    const add = AbortSignal.prototype.addEventListener
    const remove = AbortSignal.prototype.removeEventListener
    vi.spyOn(AbortSignal.prototype, 'addEventListener').mockImplementation(function (
      this: AbortSignal,
      ...a: Parameters<typeof add>
    ) {
      if (a[0] === 'abort') listeners++
      return add.apply(this, a)
    })
    vi.spyOn(AbortSignal.prototype, 'removeEventListener').mockImplementation(function (
      this: AbortSignal,
      ...a: Parameters<typeof remove>
    ) {
      if (a[0] === 'abort') listeners--
      return remove.apply(this, a)
    })

    const { task, runtime } = define({
      poolSize: 2,
      maxInFlight: 2,
      maxQueueDepth: 1000,
      timeoutMs: TIMEOUT,
      keyOf: (a: number) => `doc-${a}`,
    })
    const keys = runtime.abortTaskController
    let aborted = 0
    for (let batch = 0; batch < 100; batch++) {
      const calls: Promise<unknown>[] = []
      for (let i = 0; i < 1000; i++) {
        const n = batch * 1000 + i
        const controller = new AbortController()
        const call = task.with({ signal: controller.signal }).add(n, 1)
        if (n % 100 === 0) {
          keys.abort(`doc-${n}`)
          aborted++
        } else if (n % 100 === 1) {
          controller.abort()
        }
        calls.push(call.catch(() => undefined))
      }
      await Promise.all(calls)
    }
    expect(executorOf(task).internalSizes).toEqual({
      waiting: 0,
      pending: 0,
      inFlight: 0,
      onSlots: 0,
      readyWaiters: 0,
      deferred: 0,
      unreadChunks: 0,
    })
    // Aborted keys stay until cleared, as documented; keys never aborted are not retained.
    expect(keys.sizes).toEqual({ aborted, watchedKeys: 0, signals: 0 })
    keys.clearAll()
    expect(keys.sizes.aborted).toBe(0)
    expect(listeners).toBe(0)
    expect(live.size).toBe(0)
  }, 120_000)
})
