/**
 * Priorities with real workers: calls queued behind a busy worker go by priority (given with
 * `with`, by the task, or by a `TaskSignal`, re-ordered when its priority changes), aging lets a
 * background call through a stream of user-blocking ones, and the lossy policies evict by
 * priority. Order is read from the order the worker saw the calls.
 */
import { describe, expect, test } from 'vitest'
import {
  createTaskRuntime,
  QueueDropError,
  type RuntimeEvent,
  type SpanEvent,
} from '../../src/index'
import { define, outcome } from './fixtures/define'
import { gate, release, started } from './fixtures/harness'
import { TaskController } from './fixtures/task-controller'

/** A singleton held busy by a gated call, so that later calls queue up behind it. */
async function busySingleton(config: Parameters<typeof define>[0] = {}) {
  const defined = define({ type: 'singleton', maxQueueDepth: 100, ...config })
  const g = gate('busy')
  const first = defined.task.hold(g)
  await started(g)
  const order: string[] = []
  const run = (label: string, task = defined.task) =>
    task.echo(label).then((value) => {
      order.push(String(value))
      return value
    })
  const free = async () => {
    release(g)
    await first
  }
  return { ...defined, order, run, free }
}

describe('priorities', () => {
  test('queued calls go by priority, first come first served within one', async () => {
    const { task, runtime, order, run, free } = await busySingleton()
    const calls = [
      run('bg-1', task.with({ priority: 'background' })),
      run('uv-1'),
      run('ub-1', task.with({ priority: 'user-blocking' })),
      run('bg-2', task.with({ priority: 'background' })),
      run('ub-2', task.with({ priority: 'user-blocking' })),
    ]
    const byPriority = { 'user-blocking': 2, 'user-visible': 1, background: 2 }
    expect(task.getState().pendingByPriority).toEqual(byPriority)
    expect(runtime.getRuntimeSnapshot().tasks[0]!.pendingByPriority).toEqual(byPriority)
    await free()
    await Promise.all(calls)
    expect(order).toEqual(['ub-1', 'ub-2', 'uv-1', 'bg-1', 'bg-2'])
  })

  test("a task's default priority, overridden per call", async () => {
    const { task, order, run, free } = await busySingleton({ priority: 'background' })
    const calls = [run('task-default'), run('ub', task.with({ priority: 'user-blocking' }))]
    await free()
    await Promise.all(calls)
    expect(order).toEqual(['ub', 'task-default'])
  })

  test("a TaskSignal's priority orders the call, and setPriority re-orders it while queued", async () => {
    const { task, order, run, free } = await busySingleton()
    const controller = new TaskController({ priority: 'background' })
    const calls = [run('signalled', task.with({ signal: controller.signal })), run('uv')]
    expect(task.getState().pendingByPriority.background).toBe(1)
    controller.setPriority('user-blocking')
    expect(task.getState().pendingByPriority['user-blocking']).toBe(1)
    await free()
    await Promise.all(calls)
    expect(order).toEqual(['signalled', 'uv'])
  })

  test('an explicit priority wins over the signal, which still cancels', async () => {
    const { task, order, run, free } = await busySingleton()
    const controller = new TaskController({ priority: 'user-blocking' })
    const pinned = task.with({ signal: controller.signal, priority: 'background' })
    const calls = [run('pinned', pinned), run('uv')]
    controller.setPriority('user-blocking')
    const aborted = new TaskController({ priority: 'user-blocking' })
    const cancelled = outcome(task.with({ signal: aborted.signal }).echo('never'))
    aborted.abort(new Error('not needed'))
    expect(await cancelled).toEqual({ ok: false, error: new Error('not needed') })
    await free()
    await Promise.all(calls)
    expect(order).toEqual(['uv', 'pinned'])
  })

  test('aging lets a background call through a stream of user-blocking ones', async () => {
    const { task, free } = await busySingleton({ priorityAgingMs: 40, maxQueueDepth: 1000 })
    let backgroundDone = false
    const background = task
      .with({ priority: 'background' })
      .echo('bg')
      .then(() => {
        backgroundDone = true
      })
    const urgent = task.with({ priority: 'user-blocking' })
    await free()
    // Keep two user-blocking calls queued at all times: without aging the background call would
    // never go.
    let sent = 0
    const pending: Promise<unknown>[] = [urgent.echo('u'), urgent.echo('u')]
    while (!backgroundDone && sent < 5000) {
      await pending.shift()
      pending.push(urgent.echo('u'))
      sent++
    }
    await background
    expect(backgroundDone).toBe(true)
    expect(sent).toBeLessThan(5000)
    await Promise.all(pending)
  })

  test('with the default aging, a background call goes within 2 s of an endless user-blocking stream', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const spans: SpanEvent[] = []
    runtime.subscribeEvents((event: RuntimeEvent) => {
      if (event.kind === 'span' && event.priority === 'background') spans.push(event)
    })
    // One call at a time on the worker, so the queue decides the order (paced, the worker would
    // hold the background call within a round trip).
    const { task } = define({ type: 'singleton', maxInFlight: 1, maxQueueDepth: 1000 }, runtime)
    await task.startWorkers()
    const urgent = task.with({ priority: 'user-blocking' })
    const pending: Promise<unknown>[] = [urgent.echo('u'), urgent.echo('u')]
    let backgroundDone = false
    const background = task
      .with({ priority: 'background' })
      .echo('bg')
      .then(() => {
        backgroundDone = true
      })
    while (!backgroundDone) {
      await pending.shift()
      pending.push(urgent.echo('u'))
    }
    await Promise.all([background, ...pending])
    const wait = spans[0]!.queueWaitMs!
    // It aged past the stream (two levels at 500 ms each), not because the stream ran dry.
    expect(wait).toBeGreaterThanOrEqual(1000)
    expect(wait).toBeLessThan(2000)
  })

  test('drop-oldest evicts the oldest call of the lowest priority present', async () => {
    const { task, run, free } = await busySingleton({
      maxQueueDepth: 2,
      queuePolicy: 'drop-oldest',
    })
    const bg = outcome(run('bg', task.with({ priority: 'background' })))
    const uv = outcome(run('uv'))
    const ub = outcome(run('ub', task.with({ priority: 'user-blocking' })))
    const dropped = await bg
    expect(dropped.ok === false && dropped.error).toBeInstanceOf(QueueDropError)
    await free()
    expect([(await uv).ok, (await ub).ok]).toEqual([true, true])
  })

  test.each(['reject', 'drop-latest'] as const)(
    '%s refuses a call only when nothing queued ranks below it',
    async (queuePolicy) => {
      const { task, run, free } = await busySingleton({ maxQueueDepth: 2, queuePolicy })
      const bgs = [1, 2].map((i) => outcome(run(`bg-${i}`, task.with({ priority: 'background' }))))
      // Full of background calls: a user-blocking one evicts the newest of them.
      const ub = outcome(run('ub', task.with({ priority: 'user-blocking' })))
      const bg2 = await bgs[1]!
      expect(bg2.ok === false && bg2.error).toBeInstanceOf(QueueDropError)
      // Another background call finds nothing below it: refused.
      const bg3 = await outcome(run('bg-3', task.with({ priority: 'background' })))
      expect(bg3.ok === false && bg3.error).toBeInstanceOf(QueueDropError)
      await free()
      expect([(await bgs[0]!).ok, (await ub).ok]).toEqual([true, true])
    },
  )

  test('spans carry the priority', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const spans: SpanEvent[] = []
    runtime.subscribeEvents((event: RuntimeEvent) => {
      if (event.kind === 'span') spans.push(event)
    })
    const { task } = define({ type: 'singleton' }, runtime)
    await task.with({ priority: 'background' }).echo(1)
    await task.echo(2)
    expect(spans.map((span) => span.priority)).toEqual(['background', 'user-visible'])
  })
})
