/**
 * Every metric Atelier emits, by kind. Names are stable API: dashboards key on them. Frozen, as
 * `OUTCOMES` is, so no code outside can rename what every event carries.
 */
export const METRICS = /* @__PURE__ */ Object.freeze({
  /** Counter: a call was posted to a worker (once per attempt). */
  dispatchTotal: 'task.dispatch.total',
  /** Counter: a call resolved. */
  successTotal: 'task.success.total',
  /** Counter: a call failed in its handler, because its worker crashed, or before it was queued. */
  failureTotal: 'task.failure.total',
  /** Counter: a call was cancelled on request (its key, its signal, or `dispose()`). */
  canceledTotal: 'task.canceled.total',
  /** Counter: a call outlived `timeoutMs`. */
  timeoutTotal: 'task.timeout.total',
  /** Counter: the queue refused or evicted a call. */
  rejectedTotal: 'task.rejected.total',
  /** Counter: a call was put back in the queue after its worker crashed or was stopped. */
  requeueTotal: 'task.requeue.total',
  /** Counter: a worker was spawned. */
  workerSpawnTotal: 'worker.spawn.total',
  /** Counter: a worker crashed (error, messageerror, failed load, throwing factory). */
  workerCrashTotal: 'worker.crash.total',
  /** Counter: a live worker was terminated on purpose (stop, idle, dispose, task failure). */
  workerTerminateTotal: 'worker.terminate.total',
  /** Gauge: calls in flight. */
  inFlight: 'queue.in_flight',
  /** Gauge: calls accepted and waiting for a worker. */
  pending: 'queue.pending',
  /** Gauge: callers blocked before admission. */
  waiting: 'queue.waiting',
  /** Gauge: live workers (spawned and not yet terminated or crashed), busy or not. */
  workersActive: 'workers.active',
  /** Histogram: from dispatch to answer, for calls the worker answered. */
  taskDuration: 'task.duration_ms',
  /** Histogram: time a call spent queued before a dispatch (each attempt). */
  queueWait: 'queue.wait_ms',
} as const)

export type MetricName = (typeof METRICS)[keyof typeof METRICS]

/**
 * A metric's attributes, keyed in OpenTelemetry's dotted style. Every metric carries the `task.*`
 * keys; queue gauges, `queue.wait_ms` and `task.rejected.total` also carry the `queue.*` keys;
 * per-call metrics carry `task.method`, and per-worker ones `worker.index`.
 */
export interface MetricAttributes {
  'task.id': string
  'task.type': 'parallel' | 'singleton'
  'task.name': string
  /** The handler called. */
  'task.method'?: string
  'queue.policy'?: 'block' | 'reject' | 'drop-latest' | 'drop-oldest'
  'queue.max_in_flight'?: number
  'queue.max_depth'?: number
  /** The worker slot, from 0. */
  'worker.index'?: number
}

export interface MetricEvent {
  kind: 'counter' | 'gauge' | 'histogram'
  name: MetricName
  /** 1 for counters; the current level for gauges; the observation for histograms. */
  value: number
  /** `Date.now()`. */
  ts: number
  /** Shared and frozen: one object per task, method and worker, not one per event. */
  attrs: Readonly<MetricAttributes>
}
