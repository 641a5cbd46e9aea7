/**
 * Traces group the spans of related calls (one user action, one document) under one id. A trace
 * is explicit: made with `createTrace()`, passed with `task.with({ trace })`, ended by the app.
 */

import { describe } from '../describe.js'
import {
  epoch,
  type SpanStatus,
  type Trace,
  type TraceEndOptions,
  type TraceEvent,
  toEventError,
} from '../events.js'
import { readOptions } from '../options.js'
import { OUTCOMES, outcomeOfError } from '../outcomes.js'
import { randomId } from '../trace-context.js'
import { drawOnTrack, measure, type TimelineMode } from './timeline.js'

export interface TraceFactoryOptions {
  /** Whether spans are on at all; traces of a runtime with spans off are never sampled. */
  enabled: boolean
  sampleRate: number
  measures: TimelineMode
  publish: (event: TraceEvent) => void
}

export function createTraceFactory(options: TraceFactoryOptions): (name?: string) => Trace {
  const { enabled, sampleRate, measures, publish } = options
  return function createTrace(name?: string): Trace {
    // The name becomes a DevTools bar's label and every span's `traceName`: a string or none.
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`createTrace: name must be a string, received ${describe(name)}`)
    }
    const start = performance.now()
    const sampled = enabled && Math.random() < sampleRate
    let ended = false
    const trace: Trace = {
      id: randomId(16),
      name,
      sampled,
      end(result?: TraceEndOptions) {
        if (ended) return
        // Read and checked before the trace counts as ended: a bad call can be made good.
        const { status: given, error } = readEnd(result)
        ended = true
        if (!sampled) return
        const end = performance.now()
        const outcome = error === undefined ? undefined : OUTCOMES[outcomeOfError(error)]
        const status = given ?? outcome?.status ?? 'ok'
        const event: TraceEvent = {
          kind: 'trace',
          name: 'atelier:trace',
          ts: epoch(start),
          traceId: trace.id,
          durationMs: end - start,
          status,
        }
        if (name !== undefined) event.traceName = name
        if (outcome?.errorKind) {
          event.errorKind = outcome.errorKind
          event.error = toEventError(error)
        }
        if (measures === 'tracks') {
          drawOnTrack(name ?? 'trace', start, end, 'traces', 'Atelier', status)
        } else if (measures === 'entries') {
          measure('atelier:trace', start, end, event)
        }
        publish(event)
      },
    }
    return trace
  }
}

const STATUSES: readonly SpanStatus[] = ['ok', 'error', 'canceled']
const END_OPTIONS: ReadonlySet<string> = new Set(['status', 'error'] satisfies Array<
  keyof TraceEndOptions
>)

/** `trace.end`'s argument, read once: its getters run here, and a status is one a span has. */
function readEnd(result: TraceEndOptions | undefined): TraceEndOptions {
  if (result === undefined) return {}
  if (result === null || typeof result !== 'object') {
    throw new TypeError(
      `trace.end takes an optional { status, error }, received ${describe(result)}`,
    )
  }
  const { status, error } = readOptions('trace.end', result, END_OPTIONS) as TraceEndOptions
  if (status !== undefined && !STATUSES.includes(status)) {
    throw new TypeError(
      `trace.end: status must be one of ${STATUSES.join(', ')}, received ${describe(status)}`,
    )
  }
  return { status, error }
}
