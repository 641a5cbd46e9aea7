import { expect, test } from 'vitest'
import { createTaskRuntime, METRICS, type MetricEvent, type MetricName } from '../../src/index'
import { define, outcome } from './fixtures/define'
import { gate, release, started, tick } from './fixtures/harness'

function recordGauges() {
  const runtime = createTaskRuntime({ observability: { spans: 'off' } })
  const gauges: MetricEvent[] = []
  runtime.subscribeEvents((e) => {
    if (e.kind === 'gauge') gauges.push(e)
  })
  const last = (name: MetricName) => gauges.findLast((g) => g.name === name)?.value
  return { runtime, gauges, last }
}

test("the in-flight gauge returns to 0 when a cancelled call's stubborn handler finally answers", async () => {
  const { runtime, last } = recordGauges()
  const { task } = define({ type: 'singleton' }, runtime)
  const g = gate()
  const controller = new AbortController()
  const call = outcome(task.with({ signal: controller.signal }).stubborn(g))
  await started(g)
  await expect.poll(() => last(METRICS.inFlight)).toBe(1)
  controller.abort()
  expect((await call).ok).toBe(false)
  await tick(20)
  // The handler ignores its signal: the worker still holds the call.
  expect(task.getState().queueDepth).toBe(1)
  expect(last(METRICS.inFlight)).toBe(1)
  release(g)
  await expect.poll(() => task.getState().queueDepth).toBe(0)
  await expect.poll(() => last(METRICS.inFlight)).toBe(0)
})

test('workers.active counts live workers, busy or not', async () => {
  const { runtime, last, gauges } = recordGauges()
  const { task } = define({ poolSize: 2, init: 'eager' }, runtime)
  await task.startWorkers()
  await expect.poll(() => last(METRICS.workersActive)).toBe(2)
  expect(last(METRICS.inFlight) ?? 0).toBe(0)
  const active = gauges.find((g) => g.name === METRICS.workersActive)!
  expect(active.attrs).toEqual({
    'task.id': 'task-1',
    'task.type': 'parallel',
    'task.name': 'task-1',
  })
  await task.stopWorkers()
  await expect.poll(() => last(METRICS.workersActive)).toBe(0)
})

test('queue gauges carry the queue settings', async () => {
  const { runtime, gauges } = recordGauges()
  const { task } = define({ maxInFlight: 1, maxQueueDepth: 3, queuePolicy: 'drop-oldest' }, runtime)
  await task.add(1, 1)
  await expect.poll(() => gauges.some((g) => g.name === METRICS.inFlight)).toBe(true)
  expect(gauges.find((g) => g.name === METRICS.inFlight)!.attrs).toEqual({
    'task.id': 'task-1',
    'task.type': 'parallel',
    'task.name': 'task-1',
    'queue.policy': 'drop-oldest',
    'queue.max_in_flight': 1,
    'queue.max_depth': 3,
  })
})
