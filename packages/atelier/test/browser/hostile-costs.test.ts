/**
 * Issue 11, class 9: costs that explode. Per-call work must not grow with the number of other
 * calls sharing a signal or a key, nothing may visit the holes of a sparse array, and absurd
 * sizes are refused at definition. Where a cost is timed, the bound is generous (a second for
 * work that takes milliseconds); what exploded took seconds to minutes.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createTaskRuntime, TimeoutError } from '../../src/index'
import { gate, started } from './fixtures/harness'
import {
  defineHostile,
  expectDrained,
  expectNoPageErrors,
  thrown,
  workerCounter,
} from './fixtures/hostile-define'

expectNoPageErrors()

afterEach(() => {
  vi.restoreAllMocks()
})

const GENEROUS_MS = 1000

/** Counts 'abort' listeners added to and removed from `signal`. */
function countAbortListeners(signal: AbortSignal) {
  const counts = { added: 0, removed: 0 }
  const add = AbortSignal.prototype.addEventListener
  const remove = AbortSignal.prototype.removeEventListener
  vi.spyOn(AbortSignal.prototype, 'addEventListener').mockImplementation(function (
    this: AbortSignal,
    ...args: Parameters<typeof add>
  ) {
    if (this === signal && args[0] === 'abort') counts.added++
    return add.apply(this, args)
  })
  vi.spyOn(AbortSignal.prototype, 'removeEventListener').mockImplementation(function (
    this: AbortSignal,
    ...args: Parameters<typeof remove>
  ) {
    if (this === signal && args[0] === 'abort') counts.removed++
    return remove.apply(this, args)
  })
  return counts
}

/** A sparse array whose only element sits far out: code that visits every index pays 2^28 steps. */
function farSparse(): unknown[] {
  const value: unknown[] = []
  value[2 ** 28] = 'far'
  return value
}

describe('calls sharing one AbortSignal', () => {
  test('20,000 calls add one abort listener to it, and all settle when it aborts', async () => {
    const { task } = defineHostile({ maxQueueDepth: 20_000 })
    const controller = new AbortController()
    const counts = countAbortListeners(controller.signal)
    const view = task.with({ signal: controller.signal })
    const g = gate('shared-signal')
    let settled = 0
    const calls = [view.hold(g), ...Array.from({ length: 19_999 }, (_, i) => view.echo(i))].map(
      (call) => call.catch((e: unknown) => e).finally(() => settled++),
    )
    await started(g)
    expect(counts).toEqual({ added: 1, removed: 0 })
    const reason = new Error('stop them all')
    controller.abort(reason)
    const outcomes = await Promise.all(calls)
    expect(settled).toBe(20_000)
    expect(outcomes.every((o) => o === reason)).toBe(true)
    expect(counts).toEqual({ added: 1, removed: 1 })
    await expect(task.add(1, 2)).resolves.toBe(3)
    expectDrained(task)
  })

  test('calls that finish normally leave no listener on the shared signal', async () => {
    const { task } = defineHostile({ type: 'parallel', poolSize: 2, maxQueueDepth: 2000 })
    const controller = new AbortController()
    const counts = countAbortListeners(controller.signal)
    const view = task.with({ signal: controller.signal })
    const values = await Promise.all(Array.from({ length: 2000 }, (_, i) => view.echo(i)))
    expect(values[1999]).toBe(1999)
    expect(counts.added).toBeGreaterThan(0)
    expect(counts.added).toBe(counts.removed)
  })
})

describe('calls sharing one key', () => {
  test('20,000 calls with one key all settle when it is aborted', async () => {
    const { task, runtime } = defineHostile({ maxQueueDepth: 20_000 })
    const view = task.with({ key: 'doc-shared' })
    const g = gate('shared-key')
    const calls = [view.hold(g), ...Array.from({ length: 19_999 }, (_, i) => view.echo(i))].map(
      (call) =>
        call.then(
          () => 'resolved',
          (e: unknown) => (e as Error).name,
        ),
    )
    await started(g)
    runtime.abortTaskController.abort('doc-shared')
    const outcomes = await Promise.all(calls)
    expect(outcomes.every((name) => name === 'AbortError')).toBe(true)
    expect(runtime.abortTaskController.sizes.watchedKeys).toBe(0)
    // The held call leaves its worker once the handler has seen the cancel and answered.
    await expect(task.add(1, 2)).resolves.toBe(3)
    expectDrained(task)
  })
})

describe('sparse arrays', () => {
  test('length 2^32-1 as an argument is sent without visiting its holes', async () => {
    const { task } = defineHostile()
    await task.startWorkers()
    const sparse: unknown[] = new Array(2 ** 32 - 1)
    sparse[0] = new Uint8Array(8)
    sparse[2 ** 32 - 2] = 'last'
    const start = performance.now()
    const echoed = (await task.echo(sparse)) as unknown[]
    expect(performance.now() - start).toBeLessThan(GENEROUS_MS)
    expect(echoed.length).toBe(2 ** 32 - 1)
    expect(echoed[2 ** 32 - 2]).toBe('last')
    // Found and transferred, holes notwithstanding.
    expect((sparse[0] as Uint8Array).byteLength).toBe(0)
  })

  test('length 2^32-1 as a result is sent back without visiting its holes', async () => {
    const { task } = defineHostile()
    await task.startWorkers()
    const start = performance.now()
    const result = (await task.make('sparse', 'sync')) as unknown[]
    expect(performance.now() - start).toBeLessThan(GENEROUS_MS)
    expect(result.length).toBe(2 ** 32 - 1)
  })

  test('one element far out, as an abort reason: settling the call (and its span) does not walk the holes', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const spans: unknown[] = []
    runtime.subscribeEvents((event) => {
      if (event.kind === 'span') spans.push(event)
    })
    const { task } = defineHostile({}, runtime)
    const controller = new AbortController()
    // Observed from the start: a test failure must not leave the huge reason unhandled.
    const call = task
      .with({ signal: controller.signal })
      .echo(1)
      .catch((e: unknown) => e)
    const reason = farSparse()
    const start = performance.now()
    controller.abort(reason)
    const elapsed = performance.now() - start
    expect(await call).toBe(reason)
    expect(spans).toHaveLength(1)
    expect(elapsed).toBeLessThan(GENEROUS_MS)
  })

  test('one element far out, thrown by a handler: the call fails without the worker walking the holes', async () => {
    const { task } = defineHostile({ timeoutMs: GENEROUS_MS })
    await task.startWorkers()
    const error = await task.make('sparse-far', 'throw').catch((e: unknown) => e)
    expect(error).not.toBeInstanceOf(TimeoutError)
    expect(error).toBeInstanceOf(Error)
    await expect(task.whoami()).resolves.toBe('0')
  })
})

describe('absurd sizes are refused at definition', () => {
  test.each([1e6, 1025, 2 ** 31])('poolSize: %d', (poolSize) => {
    const workers = workerCounter()
    const error = thrown(() =>
      createTaskRuntime().defineTask({ type: 'parallel', poolSize, worker: workers.factory }),
    )
    expect(error).toBeInstanceOf(RangeError)
    expect(error.message).toMatch(/poolSize/)
    expect(workers.created).toBe(0)
  })
})
