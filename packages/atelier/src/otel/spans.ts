/**
 * Atelier span events as OpenTelemetry spans: one span per call, started and ended at the times
 * the event recorded (so it lands where the call happened, not where the event was delivered),
 * under the caller's span when there was one.
 */

import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { SpanEvent } from '../events.js'

/** The attributes a call's span carries, keyed in OpenTelemetry's dotted style. */
export const SPAN_ATTRIBUTES = {
  taskId: 'atelier.task.id',
  taskName: 'atelier.task.name',
  taskType: 'atelier.task.type',
  method: 'atelier.method',
  callId: 'atelier.call.id',
  /** Atelier's own span id: the one a traced call's `traceparent` names in the worker. */
  spanId: 'atelier.span.id',
  traceName: 'atelier.trace.name',
  workerIndex: 'atelier.worker.index',
  attemptCount: 'atelier.attempt.count',
  priority: 'atelier.priority',
  /** `ok`, or the error kind: `exception`, `abort`, `timeout`, `queue`, `crash`, `disposed`. */
  outcome: 'atelier.outcome',
  queueWaitMs: 'atelier.queue.wait_ms',
  queueWaitLastMs: 'atelier.queue.wait_last_ms',
  streamChunks: 'atelier.stream.chunks',
  streamFirstChunkMs: 'atelier.stream.first_chunk_ms',
  /** OpenTelemetry's own key: the failed call's error class, on `error` spans only. */
  errorType: 'error.type',
} as const

/** Records `event` as a finished span on `tracer`. */
export function recordSpan(tracer: Tracer, event: SpanEvent): void {
  const end = event.ts + event.durationMs
  const span = tracer.startSpan(
    `${event.taskName} ${event.method}`,
    // INTERNAL, not CLIENT: the call never leaves the process, and backends draw a CLIENT span
    // as an edge to a remote service, which a worker is not.
    { kind: SpanKind.INTERNAL, startTime: event.ts, attributes: attributesOf(event) },
    parentOf(event),
  )
  if (event.status === 'ok') {
    span.setStatus({ code: SpanStatusCode.OK })
  } else if (event.status === 'error') {
    const error = event.error ?? { name: 'Error', message: '' }
    span.setAttribute(SPAN_ATTRIBUTES.errorType, error.name)
    span.recordException({ name: error.name, message: error.message }, end)
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
  }
  // `canceled` (an abort, a dispose) stays UNSET: somebody asked for it, so it is no fault, and
  // neither is it a success; `atelier.outcome` says which it was.
  span.end(end)
}

/**
 * The context to start the span in; never the active one, which at delivery time belongs to
 * whatever settled the call, not to its caller.
 * - Made inside an OpenTelemetry span: a child of that span.
 * - Made in an Atelier trace: in that trace, under the span id its `traceparent` carried into
 *   the worker, which no span of this tracer holds (the API cannot choose a span's id). The call's
 *   span and the worker's spans are then siblings in the trace, and `atelier.span.id` names the
 *   id they share.
 * - Otherwise: a root span, in a trace of its own.
 */
function parentOf(event: SpanEvent): Context {
  const { traceId, parentSpanId } = event
  if (traceId === undefined) return ROOT_CONTEXT
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: parentSpanId ?? event.spanId,
    // Atelier emits only sampled spans.
    traceFlags: TraceFlags.SAMPLED,
    isRemote: parentSpanId === undefined,
  })
}

function attributesOf(event: SpanEvent): Attributes {
  const A = SPAN_ATTRIBUTES
  const attributes: Attributes = {
    [A.taskId]: event.taskId,
    [A.taskName]: event.taskName,
    [A.taskType]: event.taskType,
    [A.method]: event.method,
    [A.callId]: event.callId,
    [A.spanId]: event.spanId,
    [A.attemptCount]: event.attemptCount,
    [A.priority]: event.priority,
    [A.outcome]: event.errorKind ?? 'ok',
  }
  if (event.traceName !== undefined) attributes[A.traceName] = event.traceName
  if (event.workerIndex !== undefined) attributes[A.workerIndex] = event.workerIndex
  if (event.queueWaitMs !== undefined) attributes[A.queueWaitMs] = event.queueWaitMs
  if (event.queueWaitLastMs !== undefined) attributes[A.queueWaitLastMs] = event.queueWaitLastMs
  if (event.chunks !== undefined) attributes[A.streamChunks] = event.chunks
  if (event.firstChunkMs !== undefined) attributes[A.streamFirstChunkMs] = event.firstChunkMs
  return attributes
}
