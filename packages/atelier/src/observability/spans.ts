/**
 * Spans: one event per call, built when the call settles from what its record already holds,
 * and (unless `measures` is off) mirrored as a DevTools `performance.measure`.
 */

import { epoch, type SpanEvent, toEventError } from '../events.js'
import type { CallFacts, TaskFacts } from '../facts.js'
import { type CallOutcome, OUTCOMES } from '../outcomes.js'
import { PRIORITIES } from '../priority.js'
import { nextSpanId } from '../trace-context.js'

export interface SpanRecorderOptions {
  sampleRate: number
  measures: boolean
  publish: (span: SpanEvent) => void
}

/** A listener for the bus's `settled` fact that turns sampled calls into spans. */
export function createSpanRecorder(options: SpanRecorderOptions) {
  const { sampleRate, measures, publish } = options
  return function recordSpan(
    task: TaskFacts,
    call: CallFacts,
    kind: CallOutcome,
    error: unknown,
  ): void {
    // A trace decides for its calls; so does the caller's OpenTelemetry span (parent-based
    // sampling: a span under an unsampled parent would hang from nothing in the backend).
    const sampled = call.trace
      ? call.trace.sampled
      : (call.parentSampled ?? Math.random() < sampleRate)
    if (!sampled) return
    const end = performance.now()
    const { taskId, taskName, type } = task.config
    const outcome = OUTCOMES[kind]
    const span: SpanEvent = {
      kind: 'span',
      name: 'atelier:span',
      ts: epoch(call.createdAt),
      spanId: call.spanId ?? nextSpanId(),
      callId: String(call.id),
      taskId,
      taskName,
      taskType: type,
      method: call.method,
      attemptCount: call.attempts,
      priority: PRIORITIES[call.priority]!,
      durationMs: end - call.createdAt,
      status: outcome.status,
    }
    if (call.traceId !== undefined) span.traceId = call.traceId
    if (call.parentSpanId !== undefined) span.parentSpanId = call.parentSpanId
    if (call.trace?.name !== undefined) span.traceName = call.trace.name
    if (call.workerIndex >= 0) {
      span.workerIndex = call.workerIndex
      span.queueWaitMs = call.firstDispatchedAt - call.createdAt
      span.queueWaitLastMs = call.dispatchedAt - call.enqueuedAt
    }
    if (call.streamed) {
      span.chunks = call.chunks
      if (call.chunks > 0) span.firstChunkMs = call.firstChunkAt - call.dispatchedAt
    }
    if (outcome.errorKind) {
      span.errorKind = outcome.errorKind
      span.error = toEventError(error)
    }
    if (measures) measure('atelier:span', call.createdAt, end, spanDetail(span))
    publish(span)
  }
}

/** DevTools' palette for track entries, by how the call ended. */
const COLORS: Record<SpanEvent['status'], string> = {
  ok: 'primary',
  error: 'error',
  canceled: 'warning',
}

/**
 * What a span measure carries: the fields a reader of the DevTools panel looks for, and the
 * `devtools` entry of Chrome's Performance panel extensibility format, which draws the call as a
 * bar on a track of its own: a track group per task, a lane per worker, colored by outcome, with
 * the method and the outcome in the tooltip. Smaller than the span because the User Timing API
 * clones `detail`, at a cost per field.
 */
function spanDetail(span: SpanEvent) {
  const { status, errorKind, workerIndex } = span
  return {
    spanId: span.spanId,
    traceId: span.traceId,
    taskName: span.taskName,
    method: span.method,
    status,
    errorKind,
    workerIndex,
    attemptCount: span.attemptCount,
    chunks: span.chunks,
    devtools: {
      dataType: 'track-entry',
      trackGroup: `Atelier: ${span.taskName}`,
      track: workerIndex === undefined ? 'not dispatched' : `worker ${workerIndex}`,
      color: COLORS[status],
      tooltipText: `${span.method}: ${errorKind ?? status}`,
    },
  }
}

/**
 * At most this many measures of one name stay in the performance timeline. Each measure reaches
 * DevTools recordings and `PerformanceObserver`s when it is made, so clearing the timeline loses
 * nothing they show; without it, every span would stay in memory for the page's life.
 */
export const MAX_TIMELINE_MEASURES = 1000

// Per name, across runtimes: the timeline is the page's, not a runtime's.
const measuresSinceClear = new Map<string, number>()

/**
 * Measures waiting to be made, four values each (name, start, end, detail): a flat array, so
 * queueing one allocates nothing. Made when the page is idle: `performance.measure` clones its
 * `detail` and costs a microsecond or two, which on a busy page is a microsecond or two per call
 * taken from the calls. Start and end are explicit, so a late measure is drawn where it belongs.
 */
const queued: unknown[] = []
let flushQueued = false

type IdleScheduler = (callback: () => void, options: { timeout: number }) => unknown
const requestIdle = (globalThis as { requestIdleCallback?: IdleScheduler }).requestIdleCallback

/** A User Timing measure, made soon (when the page is idle), and bounded in the timeline. */
export function measure(name: string, start: number, end: number, detail: unknown): void {
  queued.push(name, start, end, detail)
  // A page that never idles still gets its measures, a batch at a time, and holds few.
  if (queued.length >= 4 * MAX_TIMELINE_MEASURES) {
    flushMeasures()
    return
  }
  if (flushQueued) return
  flushQueued = true
  if (typeof requestIdle === 'function') requestIdle(flushMeasures, { timeout: 500 })
  else setTimeout(flushMeasures, 0)
}

/** Makes every queued measure now. */
export function flushMeasures(): void {
  flushQueued = false
  const batch = queued.splice(0)
  for (let i = 0; i < batch.length; i += 4) {
    record(batch[i] as string, batch[i + 1] as number, batch[i + 2] as number, batch[i + 3])
  }
}

function record(name: string, start: number, end: number, detail: unknown): void {
  try {
    performance.measure(name, { start, end, detail })
  } catch {
    // Measures are a convenience for DevTools; the event stream is the record.
    return
  }
  const count = (measuresSinceClear.get(name) ?? 0) + 1
  if (count < MAX_TIMELINE_MEASURES) {
    measuresSinceClear.set(name, count)
    return
  }
  measuresSinceClear.set(name, 0)
  // Clears every entry of this name: ours (names starting `atelier:`), cleared wholesale rather
  // than one at a time because the API has no per-entry removal.
  performance.clearMeasures(name)
}
