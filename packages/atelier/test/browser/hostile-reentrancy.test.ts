/**
 * Issue 11, class 6: re-entrancy. App code the runtime calls back (event and snapshot listeners,
 * the worker factory, `keyOf`, getters on arguments) calls `dispose()`, `stopWorkers()`,
 * `startWorkers()`, aborts a key or makes new calls, from every kind of event. Whatever it does:
 * every call settles exactly once (and is reported once), no call throws synchronously, no
 * Worker outlives `dispose()`, nothing is left in the executor, and no page error escapes.
 *
 * Each scenario is the same small workload on a fresh pool of two (a call whose worker closes
 * itself and is replayed, a keyed call, a failing result, a cancelled call, an unreadable
 * argument, plain calls); only where the re-entrant action comes from differs.
 */
import { describe, expect, test } from 'vitest'
import { createTaskRuntime, type RuntimeEvent, type Task } from '../../src/index'
import { executorOf } from '../../src/task'
import { expectDrained } from '../support/drained'
import type { HostileAPI } from './fixtures/hostile.worker'
import {
  expectNoPageErrors,
  settleCounter,
  sleep,
  track,
  until,
  workerCounter,
} from './fixtures/hostile-define'

expectNoPageErrors()

const ACTIONS = ['dispose', 'stopWorkers', 'startWorkers', 'call', 'abortKey', 'stopStart'] as const
type Action = (typeof ACTIONS)[number]

type Source =
  | { kind: 'event'; matches: (event: RuntimeEvent) => boolean; crash?: boolean }
  | { kind: 'snapshot' }
  | { kind: 'factory' }
  | { kind: 'keyOf' }
  | { kind: 'getter' }

/** Bound for the workload to settle on its own (it takes well under a second). */
const SETTLE_MS = 4000
/** How many times a source performs its action: more than once, never without end. */
const REPEATS = 2

function unreadable(): object {
  return {
    get trap(): never {
      throw new Error('unreadable argument')
    },
  }
}

async function scenario(source: Source, action: Action) {
  const label = `${source.kind}/${action}`
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
  const workers = workerCounter()
  const calls: Array<ReturnType<typeof settleCounter>> = []
  const controls: Array<ReturnType<typeof settleCounter>> = []
  const syncThrows: unknown[] = []
  let task: Task<HostileAPI> | undefined
  let fired = 0

  /** Runs `make` as app code would, recording a synchronous throw instead of letting it out. */
  const attempt = (make: () => unknown) => {
    try {
      return make()
    } catch (error) {
      syncThrows.push(error)
      return undefined
    }
  }
  const call = (make: () => Promise<unknown>) => {
    const promise = attempt(make) as Promise<unknown> | undefined
    if (promise) calls.push(settleCounter(promise))
  }
  const control = (make: () => Promise<unknown>) => {
    const promise = attempt(make) as Promise<unknown> | undefined
    if (promise) controls.push(settleCounter(promise))
  }

  /** The re-entrant action, run by the source under test at most REPEATS times. */
  const act = () => {
    if (task === undefined || fired >= REPEATS) return
    fired++
    const t = task
    switch (action) {
      case 'dispose':
        control(() => t.dispose())
        break
      case 'stopWorkers':
        control(() => t.stopWorkers())
        break
      case 'startWorkers':
        control(() => t.startWorkers())
        break
      case 'call':
        call(() => t.echo('from app code'))
        call(() => t.echo(unreadable()))
        break
      case 'abortKey':
        attempt(() => runtime.abortTaskController.abort('k'))
        break
      case 'stopStart':
        control(() => t.stopWorkers())
        control(() => t.startWorkers())
        break
    }
  }

  const spans: RuntimeEvent[] = []
  runtime.subscribeEvents((event) => {
    if (event.kind === 'span') spans.push(event)
    if (source.kind === 'event' && source.matches(event)) act()
  })
  let snapshots = 0
  if (source.kind === 'snapshot') {
    runtime.subscribeRuntimeSnapshot(
      () => {
        if (++snapshots >= 2) act()
      },
      { intervalMs: 0 },
    )
  }

  let spawned = 0
  task = track(
    runtime.defineTask<HostileAPI>({
      type: 'parallel',
      poolSize: 2,
      maxQueueDepth: 64,
      crashPolicy: 'restart-requeue-in-flight',
      crashMaxRetries: 2,
      timeoutMs: SETTLE_MS,
      worker: () => {
        if (source.kind === 'factory' && ++spawned >= 2) act()
        return workers.factory()
      },
      keyOf: (value: unknown) => {
        if (source.kind === 'keyOf' && value === 'keyed') act()
        return value === 'keyed' ? 'k' : undefined
      },
    }),
  )
  const t = task

  // Whichever of the first two workers gets it closes itself: the call is replayed. (A crash
  // and restart cost the most time, so only the sources that need one get it.)
  const crash = source.kind !== 'event' || source.crash === true
  if (crash) call(() => t.closeInFirstWorkers(7, 2))
  call(() => t.echo('keyed'))
  call(() => t.with({ key: 'k' }).sleep(10))
  call(() => t.make('getter', 'sync'))
  call(() =>
    t.echo(
      source.kind === 'getter'
        ? {
            get reentrant() {
              act()
              return 1
            },
          }
        : 'plain',
    ),
  )
  const controller = new AbortController()
  call(() => t.with({ signal: controller.signal }).sleep(5000))
  call(() => t.echo(unreadable()))
  call(() => t.add(1, 2))
  setTimeout(() => controller.abort(new Error('cancelled by the scenario')), 15)

  // Let the workload settle on its own; resume a task that app code left paused.
  const settled = () => calls.every((c) => c.count() > 0) && controls.every((c) => c.count() > 0)
  try {
    await until(
      () => {
        if (t.getState().taskStatus === 'paused') control(() => t.startWorkers())
        return settled()
      },
      SETTLE_MS + 1000,
      `${label}: every call settled`,
    )
  } finally {
    await t.dispose()
  }
  await sleep(10)

  expect(syncThrows.map(String), `${label}: synchronous throws`).toEqual([])
  for (const [i, c] of calls.entries()) expect(c.count(), `${label}: call ${i} settlements`).toBe(1)
  for (const [i, c] of controls.entries()) {
    expect(c.count(), `${label}: control ${i} settlements`).toBe(1)
  }
  // One span per call: none was reported settled twice, none left unreported.
  expect(spans.length, `${label}: spans`).toBe(calls.length)
  expect(workers.alive(), `${label}: Workers alive after dispose()`).toBe(0)
  expectDrained(t, `${label}: executor entries`)
  expect(runtime.getRuntimeSnapshot().tasks, `${label}: snapshot after dispose`).toEqual([])
  return { fired }
}

/** Runs the scenario for every action at once (each on its own runtime) and checks each fired. */
async function everyAction(source: Source) {
  const results = await Promise.allSettled(ACTIONS.map((action) => scenario(source, action)))
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${ACTIONS[i]}: ${String((r.reason as Error).message)}`] : [],
  )
  expect(failures).toEqual([])
  for (const result of results) {
    if (result.status === 'fulfilled') expect(result.value.fired).toBeGreaterThan(0)
  }
}

const metric =
  (name: string) =>
  (event: RuntimeEvent): boolean =>
    event.kind !== 'span' && event.kind !== 'trace' && event.name === name

describe('event listeners acting on the runtime while it emits', () => {
  // One trigger per place the executor emits from: a dispatch (its histogram), an answer (its
  // histogram, and its span from the span recorder), a cancel (its span, from the caller's
  // signal, outside any operation), a spawn, a crash, a terminate, and the end of a burst (the
  // summed per-call counters, and the gauges read after the 'changed' fact).
  test.each([
    ['dispatch (queue.wait_ms)', metric('queue.wait_ms')],
    ['an answer (task.duration_ms)', metric('task.duration_ms')],
    ['a burst of dispatches (task.dispatch.total)', metric('task.dispatch.total')],
    ['a burst of successes (task.success.total)', metric('task.success.total')],
    ['a burst of cancels (task.canceled.total)', metric('task.canceled.total')],
    ['requeue (task.requeue.total)', metric('task.requeue.total'), true],
    ['spawn (worker.spawn.total)', metric('worker.spawn.total')],
    ['crash (worker.crash.total)', metric('worker.crash.total'), true],
    ['terminate (worker.terminate.total)', metric('worker.terminate.total')],
    ['a queue gauge (queue.pending)', metric('queue.pending')],
    ['a span', (event: RuntimeEvent) => event.kind === 'span'],
  ] as Array<[string, (event: RuntimeEvent) => boolean, boolean?]>)(
    'from %s',
    async (_, matches, crash) => {
      await everyAction({ kind: 'event', matches, crash })
    },
  )
})

describe('other app code acting on the runtime', () => {
  test('a snapshot listener', async () => {
    await everyAction({ kind: 'snapshot' })
  })

  test('the worker factory', async () => {
    await everyAction({ kind: 'factory' })
  })

  test('keyOf', async () => {
    await everyAction({ kind: 'keyOf' })
  })

  test('a getter on an argument, read while the call is dispatched', async () => {
    await everyAction({ kind: 'getter' })
  })
})

describe('listeners acting on another task of the same runtime', () => {
  test('the events of each task stop, restart, dispose or call the other: every call settles once', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
    const workers = { a: workerCounter(), b: workerCounter() }
    const define = (name: 'a' | 'b') =>
      track(
        runtime.defineTask<HostileAPI>({
          type: 'parallel',
          poolSize: 2,
          taskName: name,
          maxQueueDepth: 64,
          timeoutMs: SETTLE_MS,
          worker: workers[name].factory,
        }),
      )
    const a = define('a')
    const b = define('b')
    const calls: Array<ReturnType<typeof settleCounter>> = []
    const syncThrows: unknown[] = []
    const attempt = (make: () => Promise<unknown>) => {
      try {
        calls.push(settleCounter(make()))
      } catch (error) {
        syncThrows.push(error)
      }
    }
    let acted = 0
    let spans = 0
    runtime.subscribeEvents((event) => {
      if (event.kind === 'span') spans++
      if (acted >= 12) return
      const taskName =
        event.kind === 'span'
          ? event.taskName
          : event.kind === 'trace'
            ? ''
            : event.attrs['task.name']
      if (taskName === 'a' && event.kind === 'span' && event.status === 'error') {
        acted++
        attempt(() => b.echo('b, called from a failure of a'))
        attempt(() => b.stopWorkers())
        attempt(() => b.startWorkers())
      } else if (taskName === 'b' && event.kind === 'span') {
        acted++
        attempt(() => a.echo('a, called from a settlement of b'))
      } else if (
        taskName === 'a' &&
        event.kind === 'counter' &&
        event.name === 'worker.crash.total'
      ) {
        acted++
        attempt(() => b.dispose())
        attempt(() => a.echo('a, called from a crash of a'))
      }
    })
    for (let i = 0; i < 6; i++) {
      attempt(() => a.echo(i))
      attempt(() => b.echo(i))
    }
    attempt(() => a.make('getter', 'sync'))
    attempt(() => a.make('crash', 'sync'))
    attempt(() => b.sleep(20))
    await until(() => calls.every((c) => c.count() > 0), SETTLE_MS + 1000, 'every call settled')
    await Promise.all([a.dispose(), b.dispose()])
    await sleep(10)
    expect(syncThrows.map(String)).toEqual([])
    expect(calls.map((c) => c.count()).filter((n) => n !== 1)).toEqual([])
    expect(acted).toBeGreaterThan(2)
    // startWorkers() and stopWorkers() promises are among the calls; only task calls have spans.
    expect(spans).toBeLessThanOrEqual(calls.length)
    expect([workers.a.alive(), workers.b.alive()]).toEqual([0, 0])
    for (const task of [a, b]) {
      expect(Object.values(executorOf(task)!.internalSizes).every((n) => n === 0)).toBe(true)
    }
    expect(runtime.getRuntimeSnapshot().tasks).toEqual([])
  })
})
