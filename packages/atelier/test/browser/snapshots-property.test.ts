/**
 * Property: whatever happened (calls, cancels by key and signal, timeouts, crashes, late answers
 * of cancelled calls, stop and start), once the runtime is quiet the last snapshot pushed to a
 * subscriber is the runtime's snapshot. A change that reaches no subscriber would leave a live
 * view stale for ever, as a cancelled call's late answer once did.
 */
import { describe, expect, test } from 'vitest'
import { createTaskRuntime, type RuntimeSnapshot } from '../../src/index'
import { mulberry32 } from '../support/random'
import { define, outcome } from './fixtures/define'
import { gate, release, started, tick } from './fixtures/harness'

const OPERATIONS = [
  'echo',
  'hold-then-release',
  'hold-then-abort-key',
  'stubborn-then-abort-signal',
  'timeout',
  'crash',
  'fail',
  'stop-start',
] as const

describe('snapshot subscribers see every change', () => {
  test('the late answer of a cancelled call reaches subscribers', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'off' } })
    const { task } = define({ type: 'singleton' }, runtime)
    let last: RuntimeSnapshot | undefined
    runtime.subscribeRuntimeSnapshot((snapshot) => (last = snapshot), { intervalMs: 0 })
    const g = gate('late')
    const controller = new AbortController()
    const call = outcome(task.with({ signal: controller.signal }).stubborn(g))
    await started(g)
    controller.abort()
    expect((await call).ok).toBe(false)
    await tick(10)
    // Cancelled, but its worker is still busy with it: the snapshot says so.
    expect(last?.tasks[0]).toMatchObject({ queueDepth: 1, busyWorkers: 1 })
    release(g)
    await expect.poll(() => task.getState().queueDepth).toBe(0)
    await tick(10)
    expect(last?.tasks[0]).toMatchObject({ queueDepth: 0, busyWorkers: 0 })
    expect(last).toEqual(runtime.getRuntimeSnapshot())
  })

  test.each([1, 2, 3, 4])(
    'seed %i: once quiet, the last pushed snapshot is the current one',
    async (seed) => {
      const next = mulberry32(seed)
      const runtime = createTaskRuntime({ observability: { spans: 'off' } })
      const { task: pool } = define(
        {
          poolSize: 2,
          maxQueueDepth: 50,
          keyOf: (g?: unknown) => (typeof g === 'string' ? g : undefined),
        },
        runtime,
      )
      const { task: single } = define(
        { type: 'singleton', maxQueueDepth: 50, timeoutMs: 40 },
        runtime,
      )
      let last: RuntimeSnapshot | undefined
      const unsubscribe = runtime.subscribeRuntimeSnapshot((snapshot) => (last = snapshot), {
        intervalMs: 0,
      })
      const settled: Promise<unknown>[] = []
      const toRelease: string[] = []
      const stubborn: string[] = []
      const log: string[] = []
      for (let step = 0; step < 24; step++) {
        const operation = OPERATIONS[Math.floor(next() * OPERATIONS.length)]!
        log.push(operation)
        switch (operation) {
          case 'echo':
            settled.push(outcome(pool.echo(step)))
            break
          case 'hold-then-release': {
            const g = gate('release')
            settled.push(outcome(pool.hold(g)))
            toRelease.push(g)
            break
          }
          case 'hold-then-abort-key': {
            const g = gate('key')
            settled.push(outcome(pool.hold(g)))
            await tick(next() * 5)
            runtime.abortTaskController.abort(g)
            break
          }
          case 'stubborn-then-abort-signal': {
            // Cancelled, yet it keeps its worker until released: its late answer changes the state.
            const g = gate('stubborn')
            const controller = new AbortController()
            settled.push(outcome(pool.with({ signal: controller.signal }).stubborn(g)))
            toRelease.push(g)
            await tick(next() * 5)
            controller.abort()
            break
          }
          case 'timeout':
            settled.push(outcome(single.spin(60)))
            break
          case 'crash':
            settled.push(outcome(pool.crash()))
            break
          case 'fail':
            settled.push(outcome(single.fail('no')))
            break
          case 'stop-start':
            await pool.stopWorkers()
            await tick(next() * 5)
            settled.push(outcome(pool.startWorkers()))
            break
        }
        await tick(next() * 4)
      }
      // Let everything finish, the cancelled stubborn calls last: their late answers are then the
      // final change, the one a snapshot subscriber once never heard of. A gate is heard only by
      // workers alive when it is released, and calls move between workers here, so releases are
      // repeated until the calls have settled and the stubborn handlers have answered.
      let done = false
      const all = Promise.all(settled).then(() => {
        done = true
      })
      while (!done) {
        for (const g of toRelease) release(g)
        await Promise.race([all, tick(25)])
      }
      const busy = () => runtime.getRuntimeSnapshot().tasks.some((t) => t.queueDepth > 0)
      for (let round = 0; busy() && round < 200; round++) {
        for (const g of stubborn) release(g)
        await tick(25)
      }
      await expect
        .poll(
          () =>
            runtime
              .getRuntimeSnapshot()
              .tasks.every(
                (t) =>
                  t.queueDepth === 0 && t.pendingQueueDepth === 0 && t.workerStatus !== 'crashed',
              ),
          { timeout: 5_000 },
        )
        .toBe(true)
      await tick(30)
      expect(last, `operations: ${log.join(', ')}`).toEqual(runtime.getRuntimeSnapshot())
      unsubscribe()
    },
  )
})
