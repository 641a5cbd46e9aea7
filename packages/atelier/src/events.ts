/**
 * The events `runtime.subscribeEvents` delivers, and how errors and times are written in them.
 * Metric events are declared with their names in `metrics.ts`.
 */

import { textOf } from './describe.js'
import type { MetricEvent } from './metrics.js'
import type { SpanErrorKind, SpanStatus } from './outcomes.js'
import type { TaskPriority } from './priority.js'

export type { SpanErrorKind, SpanStatus }

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
  /**
   * W3C ids: the call's trace (from `with({ trace })`, or the caller's OpenTelemetry trace), and,
   * for a call made inside an OpenTelemetry span, that span's id.
   */
  traceId?: string
  parentSpanId?: string
  traceName?: string
  /** The call's id within its task, as in the worker's `ctx.callId`. */
  callId: string
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
  /** Its priority (its own, as it was last set, before aging). */
  priority: TaskPriority
  /** A streaming call's chunks received (present for calls known to stream). */
  chunks?: number
  /** From its (latest) dispatch to its first chunk; present once a chunk arrived. */
  firstChunkMs?: number
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

/**
 * A thrown value or abort reason as events carry it. Never throws: an unreadable value (a revoked
 * Proxy, a throwing getter, an object with no `toString`) is described as best it can be.
 */
export function toEventError(error: unknown): EventError {
  try {
    if (error instanceof Error) {
      const { name, message } = error
      return { name: textOf(name), message: textOf(message) }
    }
  } catch {
    // Reading it threw: fall through and describe the value itself.
  }
  return { name: 'Error', message: textOf(error) }
}

// Read once: `performance.timeOrigin` is a DOM getter, costly enough to notice once per call.
const TIME_ORIGIN = performance.timeOrigin

/** `performance.now()` on the `Date.now()` scale. */
export function epoch(perfTime: number): number {
  return TIME_ORIGIN + perfTime
}

/** A trace groups the spans of related calls under one id. */
export interface Trace {
  readonly id: string
  readonly name: string | undefined
  /** Whether this trace's spans are recorded (decided once, when the trace is created). */
  readonly sampled: boolean
  /** Ends the trace; only the first call counts. */
  end(result?: TraceEndOptions): void
}

export interface TraceEndOptions {
  /**
   * @default with an `error`, the status of the outcome it stands for (`canceled` for an
   * `AbortError` or `TaskDisposedError`, `error` for anything else); without one, `ok`
   */
  status?: SpanStatus
  /** What went wrong; its outcome (by its class name) becomes the trace's `errorKind`. */
  error?: unknown
}
