/**
 * Metrics: listeners on the executor's lifecycle facts that publish counter, gauge and histogram
 * events. Attached only while someone subscribes to events.
 */

import type { EventBus } from './event-bus.js'
import { epoch } from './events.js'
import type { TaskExecutor } from './executor.js'
import type { ExecutorEvents } from './executor-events.js'
import { METRICS, type MetricAttributes, type MetricEvent, type MetricName } from './metrics.js'
import type { CallOutcome } from './outcomes.js'

const SETTLED_METRIC: Record<CallOutcome, MetricName> = {
  ok: METRICS.successTotal,
  exception: METRICS.failureTotal,
  crash: METRICS.failureTotal,
  queue: METRICS.rejectedTotal,
  abort: METRICS.canceledTotal,
  timeout: METRICS.canceledTotal,
  disposed: METRICS.canceledTotal,
}

/** Subscribes metric listeners to `bus`; returns the function that removes them. */
export function attachMetrics(
  bus: EventBus<ExecutorEvents>,
  publish: (event: MetricEvent) => void,
): () => void {
  // Attribute objects are shared and frozen: one per task, method and worker (by index + 1, so
  // "no worker" is 0), not one per event, and looked up without building a key.
  const attributeCache = new WeakMap<TaskExecutor, Map<string, MetricAttributes[]>>()
  const attrs = (task: TaskExecutor, method = '', workerIndex = -1): MetricAttributes => {
    let byMethod = attributeCache.get(task)
    if (!byMethod) {
      byMethod = new Map()
      attributeCache.set(task, byMethod)
    }
    let byWorker = byMethod.get(method)
    if (!byWorker) {
      byWorker = []
      byMethod.set(method, byWorker)
    }
    const cached = byWorker[workerIndex + 1]
    if (cached) return cached
    const a: MetricAttributes = { taskId: task.config.taskId, taskName: task.config.taskName }
    if (method !== '') a.method = method
    if (workerIndex >= 0) a.workerIndex = workerIndex
    byWorker[workerIndex + 1] = Object.freeze(a)
    return a
  }
  const emit = (
    kind: MetricEvent['kind'],
    name: MetricName,
    value: number,
    attributes: MetricAttributes,
    ts = Date.now(),
  ) => publish({ kind, name, value, ts, attrs: attributes })
  const count = (name: MetricName, attributes: MetricAttributes, ts?: number) =>
    emit('counter', name, 1, attributes, ts)

  // Gauges are levels: sampled once the current burst of events is over (a zero-delay timer),
  // and emitted only when they moved, rather than on each of the events that move them.
  const GAUGES = [METRICS.inFlight, METRICS.pending, METRICS.waiting, METRICS.workersActive]
  const lastLevels = new WeakMap<TaskExecutor, number[]>()
  const dirty = new Set<TaskExecutor>()
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  const flushLevels = () => {
    flushTimer = undefined
    for (const task of dirty) {
      const { inFlight, pending, waiting, busyWorkers } = task.depths
      const now = [inFlight, pending, waiting, busyWorkers]
      const last = lastLevels.get(task)
      lastLevels.set(task, now)
      for (let i = 0; i < now.length; i++) {
        if (last?.[i] !== now[i]) emit('gauge', GAUGES[i]!, now[i]!, attrs(task))
      }
    }
    dirty.clear()
  }
  const levels = (task: TaskExecutor) => {
    dirty.add(task)
    flushTimer ??= setTimeout(flushLevels, 0)
  }

  const off = [
    bus.on('queued', levels),
    bus.on('dispatched', (task, call) => {
      const a = attrs(task, call.method, call.workerIndex)
      const ts = Date.now()
      count(METRICS.dispatchTotal, a, ts)
      emit('histogram', METRICS.queueWait, call.dispatchedAt - call.enqueuedAt, a, ts)
      levels(task)
    }),
    bus.on('requeued', (task, call) => {
      count(METRICS.requeueTotal, attrs(task, call.method, call.workerIndex))
      levels(task)
    }),
    bus.on('settled', (task, call, kind) => {
      const a = attrs(task, call.method, call.workerIndex)
      const now = performance.now()
      const ts = epoch(now)
      count(SETTLED_METRIC[kind], a, ts)
      if (kind === 'ok' || kind === 'exception') {
        emit('histogram', METRICS.taskDuration, now - call.dispatchedAt, a, ts)
      }
      levels(task)
    }),
    bus.on('spawned', (task, slot) =>
      count(METRICS.workerSpawnTotal, attrs(task, undefined, slot.index)),
    ),
    bus.on('crashed', (task, slot) => {
      count(METRICS.workerCrashTotal, attrs(task, undefined, slot.index))
      levels(task)
    }),
    bus.on('terminated', (task, slot) => {
      count(METRICS.workerTerminateTotal, attrs(task, undefined, slot.index))
      levels(task)
    }),
  ]
  return () => {
    for (const unsubscribe of off) unsubscribe()
    clearTimeout(flushTimer)
    flushTimer = undefined
    dirty.clear()
  }
}
