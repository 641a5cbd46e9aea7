/**
 * Issue 11, class 3: a timer given more than 2^31-1 ms fires at once, so every duration option
 * is either refused at `defineTask` (naming it) or, for `Infinity`, means "never" and arms no
 * timer at all.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createTaskRuntime, type TaskConfig } from '../../src/index'
import { gate, release, started } from './fixtures/harness'
import {
  defineHostile,
  expectNoPageErrors,
  sleep,
  thrown,
  workerCounter,
} from './fixtures/hostile-define'

expectNoPageErrors()

afterEach(() => {
  vi.restoreAllMocks()
})

const DURATIONS = ['timeoutMs', 'connectTimeoutMs', 'cancelGraceMs', 'idleTimeoutMs'] as const
const TOO_LONG = [2 ** 31, 3e9, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE]
const NOT_DURATIONS: unknown[] = [-1, Number.NaN, -Infinity, '100', 10n, null, {}]

describe('durations a timer cannot hold are refused at defineTask, naming the option', () => {
  test.each(DURATIONS)('%s', (option) => {
    const runtime = createTaskRuntime()
    const workers = workerCounter()
    for (const value of [...TOO_LONG, ...NOT_DURATIONS]) {
      const error = thrown(() =>
        runtime.defineTask({
          type: 'singleton',
          worker: workers.factory,
          [option]: value,
        } as TaskConfig),
      )
      expect(error, `${option}: ${String(value)}`).toBeInstanceOf(
        typeof value === 'number' ? RangeError : TypeError,
      )
      expect(error.message).toContain(option)
    }
    expect(workers.created).toBe(0)
    expect(runtime.getRuntimeSnapshot().tasks).toEqual([])
  })
})

describe('Infinity means never', () => {
  test('timeoutMs, connectTimeoutMs, cancelGraceMs and idleTimeoutMs: Infinity arm no timer, and calls run', async () => {
    // Timers the library arms (found by the caller's file), whatever their delay.
    const delays: unknown[] = []
    const realSetTimeout = window.setTimeout
    vi.spyOn(window, 'setTimeout').mockImplementation(((
      fn: (...a: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ) => {
      if (/atelier\/src\//.test(new Error().stack ?? '')) delays.push(ms)
      return realSetTimeout(fn, ms, ...args)
    }) as typeof setTimeout)
    const { task } = defineHostile({
      timeoutMs: Infinity,
      connectTimeoutMs: Infinity,
      cancelGraceMs: Infinity,
      idleTimeoutMs: Infinity,
      maxQueueDepth: 4,
    })
    const slow = task.sleep(150)
    const quick = task.add(1, 2)
    await expect(slow).resolves.toBe(150)
    await expect(quick).resolves.toBe(3)
    // A cancelled call is left to finish in its own time: no grace timer replaces its worker.
    const g = gate('infinite-grace')
    const controller = new AbortController()
    const cancelled = task.with({ signal: controller.signal }).hold(g)
    await started(g)
    controller.abort()
    await expect(cancelled).rejects.toBeDefined()
    await sleep(50)
    await expect(task.whoami()).resolves.toBe('0')
    expect(task.getState()).toMatchObject({ lastCrash: undefined, activeWorkers: 1 })
    release(g)
    // None of the four options armed a timer of its own.
    expect(delays).toEqual([])
    // While a finite one does (the spy sees the library's timers).
    const { task: finite } = defineHostile({ timeoutMs: 5000 })
    await expect(finite.add(1, 1)).resolves.toBe(2)
    expect(delays).toContain(5000)
  })

  test('the largest delay a timer holds (2^31-1 ms) is accepted and does not fire at once', async () => {
    const { task } = defineHostile({
      timeoutMs: 2 ** 31 - 1,
      connectTimeoutMs: 2 ** 31 - 1,
      idleTimeoutMs: 2 ** 31 - 1,
      cancelGraceMs: 2 ** 31 - 1,
    })
    await expect(task.sleep(100)).resolves.toBe(100)
    await expect(task.add(2, 2)).resolves.toBe(4)
    expect(task.getState()).toMatchObject({ lastCrash: undefined, activeWorkers: 1 })
  })
})
