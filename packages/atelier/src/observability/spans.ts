/**
 * Spans: one event per call, built when the call settles from what its record already holds,
 * and (unless `measures` is off) drawn on a DevTools track or kept as a User Timing measure.
 */

import { epoch, type SpanEvent, toEventError } from '../events.js'
import type { CallFacts, TaskFacts } from '../facts.js'
import { type CallOutcome, OUTCOMES } from '../outcomes.js'
import { PRIORITIES } from '../priority.js'
import { nextSpanId } from '../trace-context.js'
import { drawOnTrack, measure, type TimelineMode, TRACK_COLORS } from './timeline.js'

export interface SpanRecorderOptions {
  sampleRate: number
  measures: TimelineMode
  publish: (span: SpanEvent) => void
  /** Whether anyone subscribes to events: without, a span is drawn but never built. */
  listening: () => boolean
}

/** A listener for the bus's `settled` fact that turns sampled calls into spans. */
export function createSpanRecorder(options: SpanRecorderOptions) {
  const { sampleRate, measures, publish, listening } = options
  const labels = new Labels()
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
      : (call.parentSampled ?? (sampleRate >= 1 || Math.random() < sampleRate))
    if (!sampled) return
    const end = call.settledAt
    const { taskName } = task.config
    const outcome = OUTCOMES[kind]
    // On a worker's lane a call's bar starts when it was handed to that worker: from the call,
    // its time in the queue would overlap the worker's previous call. Calls that never reached
    // a worker are drawn whole.
    const start = call.workerIndex >= 0 ? call.dispatchedAt : call.createdAt
    if (measures === 'tracks') {
      // Straight from the call's record: with spans on in development and nobody listening (the
      // usual case), this bar is all a call's span costs, no event object built for no one.
      drawOnTrack(
        labels.of(call.method, kind),
        start,
        end,
        laneOf(call.workerIndex),
        groupOf(taskName),
        outcome.status,
      )
    }
    if (measures !== 'entries' && !listening()) return
    const { taskId, type } = task.config
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
    if (measures === 'entries') measure('atelier:span', start, end, spanDetail(span, kind))
    publish(span)
  }
}

// Labels, lanes and groups are a few distinct strings drawn once per call: built once each.

/** A bar's label, `method: outcome`, by method and outcome. */
class Labels {
  readonly #byMethod = new Map<string, Partial<Record<CallOutcome, string>>>()
  of(method: string, kind: CallOutcome): string {
    let byKind = this.#byMethod.get(method)
    if (byKind === undefined) {
      byKind = {}
      this.#byMethod.set(method, byKind)
    }
    const label = byKind[kind] ?? `${method}: ${kind}`
    byKind[kind] = label
    return label
  }
}

const lanes: string[] = []
/** A call's lane: its worker's, or one for calls that never reached a worker (index -1). */
const laneOf = (workerIndex: number) => {
  if (workerIndex < 0) return 'not dispatched'
  const lane = lanes[workerIndex] ?? `worker ${workerIndex}`
  lanes[workerIndex] = lane
  return lane
}

const groups = new Map<string, string>()
/** A task's track group. */
const groupOf = (taskName: string) => {
  let group = groups.get(taskName)
  if (group === undefined) {
    group = `Atelier: ${taskName}`
    groups.set(taskName, group)
  }
  return group
}

/**
 * What a span measure carries: the fields a reader of the timeline looks for, and the `devtools`
 * entry of Chrome's Performance panel extensibility format, which draws it on the same track as
 * `'tracks'` mode does. Smaller than the span because the User Timing API clones `detail`, at a
 * cost per field.
 */
function spanDetail(span: SpanEvent, kind: CallOutcome) {
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
      trackGroup: groupOf(span.taskName),
      track: laneOf(span.workerIndex ?? -1),
      color: TRACK_COLORS[status],
      tooltipText: `${span.method}: ${kind}`,
    },
  }
}
