/**
 * The behaviour suite of the runtime matrix: one source, run with real workers in Chromium
 * (vitest browser mode, `chromium.test.ts`) and in Node, Deno and Bun (`main.ts`, bundled and run
 * by each runtime, driven by `runtimes.test.ts`). It uses no test framework, only `check.ts`, and
 * the host hands it a `test` function and a worker factory for its runtime.
 *
 * Tests wait on gates (`gates.ts`), not on time: a handler says it started and holds until
 * released. Where a wait on time is inherent (a timeout, a grace period, an idle timer), the
 * bound is generous and the test waits for the event itself.
 *
 * What differs per runtime is branched on `host` below, each place saying why; today only how a
 * worker ends itself does (`process.exit()`, or `self.close()` in a browser).
 */
import {
  AbortError,
  createTaskRuntime,
  METRICS,
  type MetricEvent,
  parallelLimit,
  QueueDropError,
  type RuntimeEvent,
  type SpanEvent,
  type Task,
  type TaskConfig,
  TaskDisposedError,
  type TaskRuntime,
  type TaskStream,
  TimeoutError,
  UnknownMethodError,
  WorkerCrashedError,
} from '../../src/index'
import {
  AssertionError,
  assert,
  deepEqual,
  equal,
  instanceOf,
  matches,
  rejects,
  rejectsWith,
} from './check'
import type { FixtureAPI } from './fixture.worker'
import { Gates } from './gates'

export type RuntimeName = 'chromium' | 'node' | 'deno' | 'bun'
/** The kind of worker the host makes: a web `Worker`, or a `node:worker_threads` Worker. */
export type WorkerKind = 'web' | 'worker_threads'

export interface SuiteHost {
  readonly runtime: RuntimeName
  readonly worker: WorkerKind
  /**
   * Registers a test: vitest's `test`, or the bare runner's. A test given `knownBug` is expected
   * to fail, for that reason (vitest's `test.fails`): it fails the run once it passes, so the mark
   * is removed with the fix.
   */
  test(name: string, fn: () => Promise<void>, knownBug?: string): void
  /** A new worker running `fixture.worker.ts`, as this runtime makes one. */
  makeWorker: TaskConfig['worker']
}

/** What one test works with; its tasks are disposed when it ends, passed or not. */
class Scope {
  readonly #tasks: Array<Task<FixtureAPI>> = []
  /** Workers spawned by this test's tasks. */
  spawned = 0

  constructor(readonly host: SuiteHost) {}

  /** A task on the fixture worker, in a fresh runtime unless one is given. */
  define(config: Partial<TaskConfig<FixtureAPI>> = {}, runtime: TaskRuntime = createTaskRuntime()) {
    const task = runtime.defineTask<FixtureAPI>({
      type: 'parallel',
      ...(config.type === 'singleton' ? {} : { poolSize: 2 }),
      worker: () => {
        this.spawned++
        return this.host.makeWorker()
      },
      ...config,
    })
    this.#tasks.push(task)
    return { task, runtime }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#tasks.map((task) => task.dispose()))
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: any }

/** Settles `promise` into its value or its error, so a rejection is never unhandled meanwhile. */
function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
}

function failure<T>(outcome: Outcome<T>, what: string): any {
  assert(
    !outcome.ok,
    `${what}: expected a rejection, resolved with ${String(outcome.ok && outcome.value)}`,
  )
  return outcome.error
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Settles as `promise` does, or rejects with an AssertionError after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what}: unsettled after ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** Resolves once `condition` holds, checked every 10 ms for at most `ms`. */
async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    assert(Date.now() < deadline, `${what}: still not true after ${ms} ms`)
    await sleep(10)
  }
}

/** One worker, one call at a time, one pending place: the smallest queue that shows a policy. */
const TINY = { type: 'singleton', maxInFlight: 1, maxQueueDepth: 1 } as const

export function defineSuite(host: SuiteHost): void {
  const gates = new Gates()
  const test = (name: string, fn: (s: Scope) => Promise<void>, bug?: string) =>
    host.test(
      name,
      async () => {
        const scope = new Scope(host)
        try {
          await fn(scope)
        } finally {
          await scope.dispose()
        }
      },
      bug,
    )

  // Calls

  test('typed calls: sync, async and generic handlers answer; errors keep their class', async (s) => {
    const { task } = s.define()
    const sum: number = await task.add(2, 3)
    equal(sum, 5, 'add')
    const greeting: string = await task.greet('world')
    equal(greeting, 'hello, world', 'greet')
    deepEqual(await task.echo({ list: [1, 'two', null] }), { list: [1, 'two', null] }, 'echo')
    const error = await rejectsWith(task.fail('nope'), RangeError, 'fail')
    matches(error, { message: 'nope', code: 'E_FIXTURE' }, 'the error thrown in the worker')
    const missing = (task as unknown as { missing(): Promise<unknown> }).missing()
    await rejectsWith(missing, UnknownMethodError, 'an unknown method')
    // Types only, never run: the task's methods are checked against the worker's handlers.
    const typeOnly = () => {
      // @ts-expect-error a string where the handler takes a number
      void task.add('2', 3)
      // @ts-expect-error the worker has no such handler
      void task.nope()
      // @ts-expect-error add answers a number
      const wrong: Promise<string> = task.add(1, 2)
      // A generator handler streams what it yields; a plain one does not stream.
      const stream: TaskStream<number> = task.count(1)
      // @ts-expect-error add is no stream
      const notStream: TaskStream<number> = task.add(1, 2)
      return [wrong, stream, notStream]
    }
    void typeOnly
  })

  // The queue, under each policy

  test('queue "block": calls wait, then move waiting → pending → in flight in order', async (s) => {
    const { task } = s.define({ ...TINY, queuePolicy: 'block' })
    const [a, b, c] = [gates.gate('a'), gates.gate('b'), gates.gate('c')]
    const order: string[] = []
    const calls = [a, b, c].map((g) => task.hold(g).then(() => order.push(g)))
    await gates.started(a)
    matches(
      task.getState(),
      { queueDepth: 1, pendingQueueDepth: 1, waitingQueueDepth: 1 },
      'a runs',
    )
    gates.release(a)
    await gates.started(b)
    matches(
      task.getState(),
      { queueDepth: 1, pendingQueueDepth: 1, waitingQueueDepth: 0 },
      'b runs',
    )
    gates.release(b)
    gates.release(c)
    await Promise.all(calls)
    deepEqual(order, [a, b, c], 'completion order')
  })

  for (const policy of ['reject', 'drop-latest'] as const) {
    test(`queue "${policy}": a call finding the queue full fails with QueueDropError`, async (s) => {
      const { task } = s.define({ ...TINY, queuePolicy: policy })
      const [a, b] = [gates.gate('a'), gates.gate('b')]
      const first = task.hold(a)
      const second = task.hold(b)
      const refused = await rejectsWith(task.add(1, 2), QueueDropError, 'the third call')
      equal(refused.policy, policy, 'policy')
      await gates.started(a)
      gates.release(a, 'a')
      await gates.started(b)
      gates.release(b, 'b')
      deepEqual([await first, await second], ['a', 'b'], 'the accepted calls')
      equal(await task.add(2, 2), 4, 'a call once there is room')
    })
  }

  test('queue "drop-oldest": the oldest pending call is evicted for the new one', async (s) => {
    const { task } = s.define({ ...TINY, queuePolicy: 'drop-oldest' })
    const [a, b, c] = [gates.gate('a'), gates.gate('b'), gates.gate('c')]
    const first = task.hold(a)
    await gates.started(a)
    const evicted = settle(task.hold(b))
    const newest = task.hold(c)
    const error = failure(await evicted, 'the oldest pending call')
    instanceOf(error, QueueDropError, 'the evicted call')
    equal(error.policy, 'drop-oldest', 'policy')
    gates.release(a)
    gates.release(c, 'c')
    await first
    equal(await newest, 'c', 'the newest call')
    equal(gates.startCount(b), 0, 'the evicted call reached a worker')
  })

  // Cancellation, in each phase

  test('cancel while waiting (block): the caller leaves at once, the calls behind move up', async (s) => {
    const { task } = s.define({ type: 'singleton', maxQueueDepth: 0, queuePolicy: 'block' })
    const [running, blocked, after] = [
      gates.gate('run'),
      gates.gate('blocked'),
      gates.gate('after'),
    ]
    const first = task.hold(running)
    await gates.started(running)
    const controller = new AbortController()
    const second = settle(task.with({ signal: controller.signal }).hold(blocked))
    const third = task.hold(after)
    equal(task.getState().waitingQueueDepth, 2, 'waiting callers')
    const reason = new Error('no longer needed')
    controller.abort(reason)
    equal(failure(await second, 'the waiting call'), reason, 'its rejection')
    equal(task.getState().waitingQueueDepth, 1, 'waiting callers after the abort')
    gates.release(running)
    await first
    await gates.started(after)
    gates.release(after)
    await third
    equal(gates.startCount(blocked), 0, 'the cancelled call reached a worker')
  })

  test('cancel while pending (by key): the call leaves the queue and never runs', async (s) => {
    const { task, runtime } = s.define({ type: 'singleton', maxQueueDepth: 2 })
    const [running, queued] = [gates.gate('run'), gates.gate('queued')]
    const first = task.hold(running)
    await gates.started(running)
    const key = gates.gate('key')
    const second = settle(task.with({ key }).hold(queued))
    equal(task.getState().pendingQueueDepth, 1, 'pending calls')
    runtime.abortTaskController.abort(key)
    instanceOf(failure(await second, 'the pending call'), AbortError, 'its rejection')
    equal(task.getState().pendingQueueDepth, 0, 'pending calls after the abort')
    gates.release(running)
    await first
    equal(await task.add(1, 1), 2, 'the next call')
    equal(gates.startCount(queued), 0, 'the cancelled call reached a worker')
    runtime.abortTaskController.clear(key)
  })

  test('cancel in flight: the call rejects at once and the handler sees ctx.signal abort', async (s) => {
    const { task, runtime } = s.define({ type: 'singleton' })
    // By the caller's signal: rejects with its reason, which the worker sees with its class.
    const bySignal = gates.gate('signal')
    const controller = new AbortController()
    const call = settle(task.with({ signal: controller.signal }).hold(bySignal))
    await gates.started(bySignal)
    const reason = new TypeError('the user left')
    controller.abort(reason)
    equal(failure(await call, 'the call'), reason, 'its rejection')
    equal(await gates.aborted(bySignal), 'TypeError', "the handler's abort reason")
    // By key: an AbortError on both sides.
    const byKey = gates.gate('key')
    const keyed = settle(task.with({ key: byKey }).hold(byKey))
    await gates.started(byKey)
    runtime.abortTaskController.abort(byKey)
    instanceOf(failure(await keyed, 'the keyed call'), AbortError, 'its rejection')
    equal(await gates.aborted(byKey), 'AbortError', "the handler's abort reason")
    runtime.abortTaskController.clear(byKey)
    // The handlers gave up, so the worker is free again.
    equal(await task.add(1, 1), 2, 'the next call')
    equal(task.getState().queueDepth, 0, 'calls in flight')
  })

  test('timeoutMs: TimeoutError for the running call (its handler sees it) and a queued one', async (s) => {
    const { task } = s.define({ type: 'singleton', timeoutMs: 300, maxQueueDepth: 2 })
    // Ready first: the timer counts from the call, and a cold start must not eat it.
    await task.startWorkers()
    const running = gates.gate('run')
    const error = await rejectsWith(task.hold(running), TimeoutError, 'the running call')
    equal(error.timeoutMs, 300, 'timeoutMs')
    equal(await gates.aborted(running), 'TimeoutError', "the handler's abort reason")
    // Queued time counts too. The call ahead ignores its signal, so it holds the worker past its
    // own timeout and the queued call cannot start before its timer fires.
    const [stuck, queued] = [gates.gate('stuck'), gates.gate('queued')]
    const first = settle(task.stubborn(stuck))
    const second = settle(task.hold(queued))
    instanceOf(failure(await second, 'the queued call'), TimeoutError, 'the queued call')
    instanceOf(failure(await first, 'the stuck call'), TimeoutError, 'the stuck call')
    gates.release(stuck)
    equal(await task.add(1, 1), 2, 'the next call')
    equal(gates.startCount(queued), 0, 'the queued call reached a worker')
  })

  test('cancelGraceMs: a handler ignoring its signal has its worker replaced', async (s) => {
    const { task } = s.define({ type: 'singleton', cancelGraceMs: 100, maxQueueDepth: 2 })
    const stuck = gates.gate('stuck')
    const controller = new AbortController()
    const call = settle(task.with({ signal: controller.signal }).stubborn(stuck))
    const first = await gates.started(stuck)
    controller.abort()
    equal(failure(await call, 'the cancelled call').name, 'AbortError', 'its rejection')
    // The stuck handler holds the only worker: this call runs only on its replacement.
    const next = await task.whoami()
    assert(next !== first, `the next call ran on the stuck worker ${first}`)
    equal(s.spawned, 2, 'workers spawned')
    matches(task.getState(), { failed: false, workerStatus: 'running' }, 'the task after the kill')
  })

  // Transfers

  test('transfer: argument buffers move (the caller is detached), results move back', async (s) => {
    const { task } = s.define({ type: 'singleton' })
    const bytes = new Uint8Array([1, 2, 3, 4])
    equal(await task.sum(bytes), 10, 'sum')
    equal(bytes.buffer.byteLength, 0, "the caller's buffer after the call")
    await rejectsWith(task.sum(bytes), TypeError, 'a call with the detached buffer')
    const copied = new Uint8Array([5, 5])
    equal(await task.with({ transfer: [] }).sum(copied), 10, 'sum, copied')
    equal(copied.buffer.byteLength, 2, "the caller's buffer after a copying call")
    const made = await task.makeBuffer(16)
    instanceOf(made, ArrayBuffer, 'the result')
    deepEqual([made.byteLength, new Uint8Array(made)[15]], [16, 7], 'the result buffer')
    // The worker's own buffer, returned: moved by default (detached there), copied when asked.
    equal((await task.keptBuffer()).byteLength, 8, 'the kept buffer')
    equal(await task.keptByteLength(), 0, "the worker's buffer after a transferred result")
    await task.resetKept()
    equal((await task.with({ transferResult: false }).keptBuffer()).byteLength, 8, 'copied')
    equal(await task.keptByteLength(), 8, "the worker's buffer after a copied result")
  })

  test('transfer: a MessagePort passed as an argument reaches the worker, both ways', async (s) => {
    const { task } = s.define({ type: 'singleton' })
    const { port1, port2 } = new MessageChannel()
    // A port cannot be copied: the call succeeds only if it was found and transferred.
    equal(await task.doubleOnPort(port2), 'listening', 'the call')
    const answer = new Promise((resolve) => {
      port1.onmessage = (event) => resolve(event.data)
    })
    port1.postMessage(21)
    equal(await answer, 42, "the worker's answer on the port")
    port1.close()
  })

  // Crashes

  test('crash (an uncaught error): restart-fail-in-flight fails the call; the worker restarts', async (s) => {
    const { task } = s.define({ type: 'singleton' })
    const before = await task.whoami()
    const error = await rejectsWith(task.crash('throw'), WorkerCrashedError, 'the crashing call')
    equal(error.workerIndex, 0, 'workerIndex')
    const lastCrash = task.getState().lastCrash
    assert(lastCrash?.error.message.includes('boom'), `lastCrash: ${lastCrash?.error.message}`)
    equal(task.getState().failed, false, 'failed')
    const after = await task.whoami()
    assert(after !== before, 'the call after the crash ran on the crashed worker')
    equal(s.spawned, 2, 'workers spawned')
  })

  // Node ends a worker after an uncaught error by calling process.exit(), which the harness also
  // reports, on another port: whichever report comes first, the error must be the one kept.
  test('crash (an uncaught error), again and again: every crash is reported as its own error', async (s) => {
    const { task } = s.define({ type: 'singleton' })
    for (let round = 1; round <= 25; round++) {
      await rejectsWith(task.crash('throw'), WorkerCrashedError, `crash ${round}`)
      const lastCrash = task.getState().lastCrash
      assert(
        lastCrash?.error.message.includes('boom'),
        `crash ${round}: ${lastCrash?.error.message}`,
      )
      // A call that succeeds ends the run of crashes that would fail the task (crashMaxRetries).
      equal(await task.echo(round), round, `the call after crash ${round}`)
    }
  })

  // How a worker ends itself, in the ways each runtime has: a browser worker has no `process`, and
  // neither a `worker_threads` Worker nor Bun's web Worker (1.4) has `self.close()`.
  const exits: Array<['exit' | 'close', string]> = []
  if (host.runtime !== 'chromium') exits.push(['exit', 'process.exit()'])
  if (host.worker === 'web' && host.runtime !== 'bun') exits.push(['close', 'self.close()'])
  for (const [how, label] of exits) {
    const name = `crash (${label} in the worker): a crash too, and the worker restarts`
    test(name, async (s) => {
      const { task } = s.define({ type: 'singleton' })
      const before = await task.whoami()
      // Bounded here rather than by the runner: a worker gone unnoticed leaves its call hanging.
      const exited = within(task.crash(how), 5_000, 'the call whose worker ended')
      const error = await rejectsWith(exited, WorkerCrashedError, 'the call whose worker ended')
      const cause = String((error.cause as Error | undefined)?.message)
      const named = how === 'close' ? /ended itself \(self\.close\(\)\)/ : /exit/i
      assert(named.test(cause), `the crash says how the worker ended: ${cause}`)
      const after = await task.whoami()
      assert(after !== before, 'the call after the exit ran on the exited worker')
      equal(s.spawned, 2, 'workers spawned')
    })
  }

  test('crash: restart-requeue-in-flight runs the call again on a new worker', async (s) => {
    const { task } = s.define({ type: 'singleton', crashPolicy: 'restart-requeue-in-flight' })
    const g = gates.gate('requeued')
    const call = task.hold(g)
    const first = await gates.started(g)
    gates.crash(g)
    const second = await gates.started(g, 2)
    assert(second !== first, 'the requeued call ran on the crashed worker')
    gates.release(g, 'second life')
    equal(await call, 'second life', 'the requeued call')
    equal(task.getState().totalDispatched, 2, 'dispatches')
  })

  test('crash: fail-task fails running and queued calls, and later ones until startWorkers()', async (s) => {
    const { task } = s.define({ type: 'singleton', crashPolicy: 'fail-task', maxQueueDepth: 2 })
    const g = gates.gate('crash')
    const running = settle(task.hold(g))
    await gates.started(g)
    const queued = settle(task.add(1, 2))
    gates.crash(g)
    instanceOf(failure(await running, 'the running call'), WorkerCrashedError, 'the running call')
    instanceOf(failure(await queued, 'the queued call'), WorkerCrashedError, 'the queued call')
    matches(task.getState(), { failed: true, workerStatus: 'crashed' }, 'the failed task')
    await rejectsWith(task.add(1, 1), WorkerCrashedError, 'a call to the failed task')
    await task.startWorkers()
    equal(await task.add(1, 2), 3, 'a call after startWorkers()')
  })

  // Lifecycle

  test('init: lazy spawns on the first call, eager spawns the pool at definition', async (s) => {
    const { task: lazy } = s.define({ poolSize: 2 })
    await sleep(0)
    equal(s.spawned, 0, 'lazy workers before a call')
    matches(lazy.getState(), { activeWorkers: 0, workerStatus: 'stopped' }, 'the lazy task')
    equal(await lazy.add(1, 1), 2, 'the first call')
    equal(s.spawned, 1, 'lazy workers after one call')
    const { task: eager } = s.define({ poolSize: 2, init: 'eager' })
    equal(s.spawned, 3, 'workers once the eager task is defined')
    await eager.startWorkers()
    equal(s.spawned, 3, 'workers once the eager task is ready')
    matches(eager.getState(), { activeWorkers: 2, workerStatus: 'running' }, 'the eager task')
  })

  test('stopWorkers() pauses and requeues in-flight calls; startWorkers() runs them', async (s) => {
    const { task } = s.define({ type: 'singleton', maxQueueDepth: 2 })
    const g = gates.gate()
    const call = task.hold(g)
    await gates.started(g)
    await task.stopWorkers()
    matches(
      task.getState(),
      { taskStatus: 'paused', activeWorkers: 0, queueDepth: 0, pendingQueueDepth: 1 },
      'the stopped task',
    )
    const later = task.add(1, 2)
    equal(task.getState().pendingQueueDepth, 2, 'pending calls while paused')
    await task.startWorkers()
    await gates.started(g, 2)
    gates.release(g, 'resumed')
    equal(await call, 'resumed', 'the requeued call')
    equal(await later, 3, 'the call made while paused')
    equal(s.spawned, 2, 'workers spawned')
  })

  test('dispose() rejects queued and running calls, ends the workers, and is idempotent', async (s) => {
    const { task, runtime } = s.define({ type: 'singleton', maxQueueDepth: 1 })
    const g = gates.gate()
    const calls = [settle(task.hold(g)), settle(task.add(1, 1)), settle(task.add(2, 2))]
    await gates.started(g)
    await task.dispose()
    await task.dispose()
    for (const outcome of await Promise.all(calls)) {
      instanceOf(failure(outcome, 'a call'), TaskDisposedError, 'a call of the disposed task')
    }
    matches(task.getState(), { activeWorkers: 0, queueDepth: 0, pendingQueueDepth: 0 }, 'state')
    await rejectsWith(task.add(1, 1), TaskDisposedError, 'a later call')
    equal(runtime.getRuntimeSnapshot().tasks.length, 0, 'tasks in the snapshot')
  })

  test('idleTimeoutMs: idle workers stop, and the next call starts one again', async (s) => {
    const { task } = s.define({ type: 'singleton', idleTimeoutMs: 100 })
    equal(await task.add(1, 1), 2, 'the first call')
    await until(() => task.getState().activeWorkers === 0, 'the idle worker stopped')
    equal(await task.add(2, 2), 4, 'the call after the idle stop')
    equal(s.spawned, 2, 'workers spawned')
  })

  // parallelLimit

  test('parallelLimit runs at most `limit` calls at once and yields in completion order', async (s) => {
    const { task } = s.define({ poolSize: 3 })
    const items = [gates.gate('p0'), gates.gate('p1'), gates.gate('p2'), gates.gate('p3')]
    const results: unknown[] = []
    const loop = (async () => {
      for await (const value of parallelLimit(items, 2, (g) => task.hold(g))) results.push(value)
    })()
    await Promise.all([gates.started(items[0]!), gates.started(items[1]!)])
    equal(task.getState().totalDispatched, 2, 'calls made while two run')
    gates.release(items[1]!, 'p1')
    await gates.started(items[2]!)
    gates.release(items[0]!, 'p0')
    await gates.started(items[3]!)
    gates.release(items[2]!, 'p2')
    gates.release(items[3]!, 'p3')
    await loop
    deepEqual(results.slice(0, 2), ['p1', 'p0'], 'the first results, in completion order')
    deepEqual([...results].sort(), ['p0', 'p1', 'p2', 'p3'], 'every result')
  })

  // Streaming and progress

  test('streaming: a generator handler, iterated with for await, or awaited', async (s) => {
    const { task } = s.define({ type: 'singleton' })
    const seen: number[] = []
    for await (const n of task.count(5)) seen.push(n)
    deepEqual(seen, [0, 1, 2, 3, 4], 'iterated')
    const all: number[] = await task.count(3)
    deepEqual(all, [0, 1, 2], 'awaited')
    // Leaving the loop cancels the call: the generator's `finally` sees its signal aborted.
    const g = gates.gate('endless')
    for await (const n of task.endless(g)) if (n === 20) break
    equal(await gates.aborted(g), 'AbortError', "the generator's abort reason")
    equal(await task.add(1, 1), 2, 'the next call')
  })

  test('progress: ctx.progress reaches onProgress in order, before the call settles', async (s) => {
    const { task } = s.define({ type: 'singleton' })
    const values: unknown[] = []
    let settled = false
    let late = 0
    const onProgress = (value: unknown) => {
      if (settled) late++
      values.push(value)
    }
    equal(await task.with({ onProgress }).steps(50), 50, 'the result')
    settled = true
    // Reports made while the caller had not taken the last replace each other: a subsequence.
    assert(values.length > 0, 'no progress arrived')
    equal(values.at(-1), 50, 'the last progress value')
    for (let i = 1; i < values.length; i++) {
      assert((values[i] as number) > (values[i - 1] as number), `out of order: ${values.join()}`)
    }
    await sleep(20)
    equal(late, 0, 'progress values after the call settled')
  })

  // Observability

  test('subscribeEvents hears spans (spans: on) and metrics', async (s) => {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const events: RuntimeEvent[] = []
    const stop = runtime.subscribeEvents((event) => events.push(event))
    const { task } = s.define({ type: 'singleton', taskName: 'events' }, runtime)
    equal(await task.add(1, 2), 3, 'add')
    await rejects(task.fail('x'), 'fail')
    const spans = () => events.filter((e): e is SpanEvent => e.kind === 'span')
    await until(() => spans().length === 2, 'two spans')
    const [ok, failed] = spans()
    matches(ok!, { method: 'add', taskName: 'events', status: 'ok', attemptCount: 1 }, 'add')
    matches(failed!, { method: 'fail', status: 'error', errorKind: 'exception' }, 'fail')
    equal(failed!.error?.name, 'RangeError', "the failed span's error")
    const names = () =>
      new Set(events.filter((e): e is MetricEvent => e.kind === 'counter').map((e) => e.name))
    const expected = [
      METRICS.workerSpawnTotal,
      METRICS.dispatchTotal,
      METRICS.successTotal,
      METRICS.failureTotal,
    ]
    await until(() => expected.every((name) => names().has(name)), `metrics ${expected}`)
    stop()
    const heard = events.length
    equal(await task.add(2, 2), 4, 'a call after unsubscribing')
    await sleep(20)
    equal(events.length, heard, 'events heard after unsubscribing')
  })
}
