/**
 * The events `runtime.subscribeEvents` delivers, and how errors and times are written in them.
 * Metric events are declared with their names in `metrics.ts`.
 */

import type { MetricEvent } from './metrics.js'

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

/** Which kind of failure an error is, by its name (it may come from another realm or worker). */
export function errorKindOf(error: unknown): SpanErrorKind {
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

export function toEventError(error: unknown): EventError {
  if (error instanceof Error) return { name: error.name, message: error.message }
  return { name: 'Error', message: String(error) }
}

// Read once: `performance.timeOrigin` is a DOM getter, costly enough to notice once per call.
const TIME_ORIGIN = performance.timeOrigin

/** `performance.now()` on the `Date.now()` scale. */
export function epoch(perfTime: number): number {
  return TIME_ORIGIN + perfTime
}
