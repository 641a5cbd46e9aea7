/**
 * Metrics, spans and traces: listeners on the executor's event bus, nothing more. Metric
 * listeners are attached only while someone subscribes to events; span listeners only while
 * spans are on. With spans off and no subscriber, observability costs dispatch nothing.
 */

import type { Call, SettleKind } from './call.js'
import type { EventBus } from './event-bus.js'
import type { ExecutorEvents, TaskExecutor } from './executor.js'
import { METRICS, type MetricAttributes, type MetricEvent, type MetricName } from './metrics.js'
import { reportListenerError } from './report-error.js'
import type { Trace, TraceEndOptions } from './trace.js'

export type SpansMode = 'auto' | 'on' | 'off'

export interface ObservabilityConfig {
  /**
   * Spans (one per call) and traces. `'auto'` is on in development builds
   * (`import.meta.env.DEV`, else `process.env.NODE_ENV !== 'production'`) and off otherwise.
   * `sampleRate` (0..1, clamped) keeps that share of traces, or of calls made outside a trace.
   * @default 'auto' with sampleRate 1
   * @example { spans: { mode: 'on', sampleRate: 0.1 } }
   */
  spans?: SpansMode | { mode?: SpansMode; sampleRate?: number }
  /**
   * Also record each sampled span and trace as a `performance.measure`, so it shows in the
   * DevTools performance panel. Chromium charges about 1–2 µs per measure, the dominant cost of
   * spans on tiny calls: turn it off where the event stream is all you need.
   * @default true (measures are recorded whenever spans are)
   */
  measures?: boolean
}

export type SpanStatus = 'ok' | 'error' | 'canceled'
export type SpanErrorKind = 'abort' | 'timeout' | 'queue' | 'crash' | 'exception'

/** A thrown value as events carry it: enough to read, always cloneable. */
export interface EventError {
  name: string
  message: string
}

/** One call, from the call to its settlement. */
export interface SpanEvent {
  kind: 'span'
  name: 'atelier:span'
  /** Start of the call, `Date.now()` scale. */
  ts: number
  spanId: string
  traceId?: string
  traceName?: string
  callId: number
  taskId: string
  taskName: string
  taskType: 'parallel' | 'singleton'
  method: string
  /** The worker slot of its latest attempt; absent if it never reached a worker. */
  workerIndex?: number
  /** From the call to its first dispatch. */
  queueWaitMs?: number
  /** From its latest (re)queueing to its latest dispatch; differs from queueWaitMs after a requeue. */
  queueWaitLastMs?: number
  /** Times it was posted to a worker. */
  attemptCount: number
  durationMs: number
  status: SpanStatus
  errorKind?: SpanErrorKind
  error?: EventError
}

/** A trace from `createTrace()` / `runWithTrace()`, emitted once when it ends. */
export interface TraceEvent {
  kind: 'trace'
  name: 'atelier:trace'
  ts: number
  traceId: string
  traceName?: string
  durationMs: number
  status: SpanStatus
  errorKind?: SpanErrorKind
  error?: EventError
}

export type RuntimeEvent = MetricEvent | SpanEvent | TraceEvent

export interface Observability {
  subscribeEvents(listener: (event: RuntimeEvent) => void): () => void
  createTrace(name?: string): Trace
  runWithTrace<T>(name: string, fn: (trace: Trace) => T | Promise<T>): Promise<T>
}

function isDevelopment(): boolean {
  const env = (import.meta as { env?: { DEV?: boolean } }).env
  if (env && typeof env.DEV === 'boolean') return env.DEV
  const nodeEnv = (globalThis as { process?: { env?: { NODE_ENV?: string } } }).process?.env
    ?.NODE_ENV
  return nodeEnv !== 'production'
}

export function resolveSpans(config: ObservabilityConfig['spans']): {
  enabled: boolean
  sampleRate: number
} {
  const { mode = 'auto', sampleRate = 1 } =
    typeof config === 'object' && config !== null ? config : { mode: config }
  if (!['auto', 'on', 'off'].includes(mode)) {
    throw new TypeError(
      `observability.spans mode must be "auto", "on" or "off", received ${JSON.stringify(mode)}`,
    )
  }
  if (typeof sampleRate !== 'number' || Number.isNaN(sampleRate)) {
    throw new TypeError(
      `observability.spans.sampleRate must be a number, received ${String(sampleRate)}`,
    )
  }
  return {
    enabled: mode === 'on' || (mode === 'auto' && isDevelopment()),
    sampleRate: Math.min(1, Math.max(0, sampleRate)),
  }
}

const SPAN_STATUS: Record<SettleKind, SpanStatus> = {
  ok: 'ok',
  exception: 'error',
  crash: 'error',
  queue: 'error',
  abort: 'canceled',
  timeout: 'canceled',
  disposed: 'canceled',
}
const SPAN_ERROR_KIND: Record<SettleKind, SpanErrorKind | undefined> = {
  ok: undefined,
  exception: 'exception',
  crash: 'crash',
  queue: 'queue',
  abort: 'abort',
  timeout: 'timeout',
  disposed: 'abort',
}

const SETTLED_METRIC: Record<SettleKind, MetricName> = {
  ok: METRICS.successTotal,
  exception: METRICS.failureTotal,
  crash: METRICS.failureTotal,
  queue: METRICS.rejectedTotal,
  abort: METRICS.canceledTotal,
  timeout: METRICS.canceledTotal,
  disposed: METRICS.canceledTotal,
}

function errorKindOf(error: unknown): SpanErrorKind {
  switch ((error as Error | undefined)?.name) {
    case 'AbortError':
      return 'abort'
    case 'TimeoutError':
      return 'timeout'
    case 'QueueDropError':
      return 'queue'
    case 'WorkerCrashedError':
      return 'crash'
    default:
      return 'exception'
  }
}

function toEventError(error: unknown): EventError {
  if (error instanceof Error) return { name: error.name, message: error.message }
  return { name: 'Error', message: String(error) }
}

/** `performance.now()` on the `Date.now()` scale. */
function epoch(perfTime: number): number {
  return performance.timeOrigin + perfTime
}

/**
 * What a span measure carries: the fields a reader of the DevTools panel looks for. Smaller than
 * the span because the User Timing API clones `detail`, at a cost per field.
 */
function spanDetail(span: SpanEvent) {
  const { spanId, traceId, taskName, method, status, errorKind, workerIndex, attemptCount } = span
  return { spanId, traceId, taskName, method, status, errorKind, workerIndex, attemptCount }
}

function measure(name: string, start: number, end: number, detail: unknown): void {
  try {
    performance.measure(name, { start, end, detail })
  } catch {
    // Measures are a convenience for DevTools; the event stream is the record.
  }
}

export function createObservability(
  bus: EventBus<ExecutorEvents>,
  config: ObservabilityConfig = {},
): Observability {
  const spans = resolveSpans(config.spans)
  const measures = config.measures ?? true
  if (typeof measures !== 'boolean') {
    throw new TypeError(`observability.measures must be a boolean, received ${String(measures)}`)
  }
  const idPrefix = Math.random().toString(36).slice(2, 8)
  let nextSpanId = 0
  let nextTraceId = 0
  let listeners: Array<(event: RuntimeEvent) => void> = []
  let detachMetrics: (() => void) | undefined

  function publish(event: RuntimeEvent): void {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (error) {
        reportListenerError(error)
      }
    }
  }

  if (spans.enabled) bus.on('settled', recordSpan)

  function recordSpan(task: TaskExecutor, call: Call, kind: SettleKind, error: unknown): void {
    const sampled = call.trace ? call.trace.sampled : Math.random() < spans.sampleRate
    if (!sampled) return
    const end = performance.now()
    const { taskId, taskName, type } = task.config
    const span: SpanEvent = {
      kind: 'span',
      name: 'atelier:span',
      ts: epoch(call.createdAt),
      spanId: `${idPrefix}-s${++nextSpanId}`,
      callId: call.id,
      taskId,
      taskName,
      taskType: type,
      method: call.method,
      attemptCount: call.attempts,
      durationMs: end - call.createdAt,
      status: SPAN_STATUS[kind],
    }
    if (call.trace) {
      span.traceId = call.trace.id
      if (call.trace.name !== undefined) span.traceName = call.trace.name
    }
    if (call.workerIndex >= 0) {
      span.workerIndex = call.workerIndex
      span.queueWaitMs = call.firstDispatchedAt - call.createdAt
      span.queueWaitLastMs = call.dispatchedAt - call.enqueuedAt
    }
    const errorKind = SPAN_ERROR_KIND[kind]
    if (errorKind) {
      span.errorKind = errorKind
      span.error = toEventError(error)
    }
    if (measures) measure('atelier:span', call.createdAt, end, spanDetail(span))
    publish(span)
  }

  function attachMetrics(): () => void {
    // Attribute objects are shared and frozen: one per task, method and worker, not one per event.
    const attributeCache = new WeakMap<TaskExecutor, Map<string, MetricAttributes>>()
    const attrs = (task: TaskExecutor, method?: string, workerIndex = -1): MetricAttributes => {
      let byKey = attributeCache.get(task)
      if (!byKey) {
        byKey = new Map()
        attributeCache.set(task, byKey)
      }
      const key = `${method ?? ''}#${workerIndex}`
      const cached = byKey.get(key)
      if (cached) return cached
      const a: MetricAttributes = { taskId: task.config.taskId, taskName: task.config.taskName }
      if (method !== undefined) a.method = method
      if (workerIndex >= 0) a.workerIndex = workerIndex
      byKey.set(key, Object.freeze(a))
      return a
    }
    const emit = (
      kind: MetricEvent['kind'],
      name: MetricName,
      value: number,
      attributes: MetricAttributes,
    ) => publish({ kind, name, value, ts: Date.now(), attrs: attributes })
    const count = (name: MetricName, attributes: MetricAttributes) =>
      emit('counter', name, 1, attributes)

    // Gauges are levels: sampled once the current burst of events is over (a zero-delay timer),
    // and emitted only when they moved, rather than on each of the events that move them.
    const GAUGES = [METRICS.inFlight, METRICS.pending, METRICS.waiting, METRICS.workersActive]
    const lastLevels = new WeakMap<TaskExecutor, number[]>()
    const dirty = new Set<TaskExecutor>()
    let flushTimer: ReturnType<typeof setTimeout> | undefined
    const flushLevels = () => {
      flushTimer = undefined
      for (const task of dirty) {
        const { inFlight, pending, waiting, activeWorkers } = task.depths
        const now = [inFlight, pending, waiting, activeWorkers]
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
        count(METRICS.dispatchTotal, a)
        emit('histogram', METRICS.queueWait, call.dispatchedAt - call.enqueuedAt, a)
        levels(task)
      }),
      bus.on('requeued', (task, call) => {
        count(METRICS.requeueTotal, attrs(task, call.method, call.workerIndex))
        levels(task)
      }),
      bus.on('settled', (task, call, kind) => {
        const a = attrs(task, call.method, call.workerIndex)
        count(SETTLED_METRIC[kind], a)
        if (kind === 'ok' || kind === 'exception') {
          emit('histogram', METRICS.taskDuration, performance.now() - call.dispatchedAt, a)
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

  function createTrace(name?: string): Trace {
    const start = performance.now()
    const sampled = spans.enabled && Math.random() < spans.sampleRate
    let ended = false
    const trace: Trace = {
      id: `${idPrefix}-t${++nextTraceId}`,
      name,
      sampled,
      end(result: TraceEndOptions = {}) {
        if (ended) return
        ended = true
        if (!sampled) return
        const end = performance.now()
        const status = result.status ?? (result.error === undefined ? 'ok' : 'error')
        const event: TraceEvent = {
          kind: 'trace',
          name: 'atelier:trace',
          ts: epoch(start),
          traceId: trace.id,
          durationMs: end - start,
          status,
        }
        if (name !== undefined) event.traceName = name
        if (result.error !== undefined) {
          event.errorKind = errorKindOf(result.error)
          event.error = toEventError(result.error)
        }
        if (measures) measure('atelier:trace', start, end, event)
        publish(event)
      },
    }
    return trace
  }

  return {
    subscribeEvents(listener) {
      listeners = [...listeners, listener]
      detachMetrics ??= attachMetrics()
      return () => {
        listeners = listeners.filter((l) => l !== listener)
        if (listeners.length === 0 && detachMetrics) {
          detachMetrics()
          detachMetrics = undefined
        }
      }
    },
    createTrace,
    async runWithTrace(name, fn) {
      const trace = createTrace(name)
      try {
        const value = await fn(trace)
        trace.end({ status: 'ok' })
        return value
      } catch (error) {
        const canceled = (error as Error | undefined)?.name === 'AbortError'
        trace.end({ status: canceled ? 'canceled' : 'error', error })
        throw error
      }
    },
  }
}
