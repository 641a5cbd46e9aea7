/**
 * Spans: one event per call, built when the call settles from what its record already holds,
 * and (unless `measures` is off) mirrored as a DevTools `performance.measure`.
 */

import type { Call } from './call.js'
import {
  epoch,
  type SpanErrorKind,
  type SpanEvent,
  type SpanStatus,
  toEventError,
} from './events.js'
import type { TaskExecutor } from './executor.js'
import type { CallOutcome } from './outcomes.js'

const SPAN_STATUS: Record<CallOutcome, SpanStatus> = {
  ok: 'ok',
  exception: 'error',
  crash: 'error',
  queue: 'error',
  abort: 'canceled',
  timeout: 'canceled',
  disposed: 'canceled',
}
const SPAN_ERROR_KIND: Record<CallOutcome, SpanErrorKind | undefined> = {
  ok: undefined,
  exception: 'exception',
  crash: 'crash',
  queue: 'queue',
  abort: 'abort',
  timeout: 'timeout',
  disposed: 'abort',
}

export interface SpanRecorderOptions {
  sampleRate: number
  measures: boolean
  /** Prefix of span ids, unique per runtime. */
  idPrefix: string
  publish: (span: SpanEvent) => void
}

/** A listener for the bus's `settled` fact that turns sampled calls into spans. */
export function createSpanRecorder(options: SpanRecorderOptions) {
  const { sampleRate, measures, idPrefix, publish } = options
  let nextSpanId = 0
  return function recordSpan(
    task: TaskExecutor,
    call: Call,
    kind: CallOutcome,
    error: unknown,
  ): void {
    const sampled = call.trace ? call.trace.sampled : Math.random() < sampleRate
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
}

/**
 * What a span measure carries: the fields a reader of the DevTools panel looks for. Smaller than
 * the span because the User Timing API clones `detail`, at a cost per field.
 */
function spanDetail(span: SpanEvent) {
  const { spanId, traceId, taskName, method, status, errorKind, workerIndex, attemptCount } = span
  return { spanId, traceId, taskName, method, status, errorKind, workerIndex, attemptCount }
}

export function measure(name: string, start: number, end: number, detail: unknown): void {
  try {
    performance.measure(name, { start, end, detail })
  } catch {
    // Measures are a convenience for DevTools; the event stream is the record.
  }
}
