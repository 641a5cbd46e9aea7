/**
 * Traces group the spans of related calls (one user action, one document) under one id. A trace
 * is explicit: made with `createTrace()`, passed with `task.with({ trace })`, ended by the app.
 */

import {
  epoch,
  type Trace,
  type TraceEndOptions,
  type TraceEvent,
  toEventError,
} from '../events.js'
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
    const start = performance.now()
    const sampled = enabled && Math.random() < sampleRate
    let ended = false
    const trace: Trace = {
      id: randomId(16),
      name,
      sampled,
      end(result?: TraceEndOptions) {
        if (ended) return
        ended = true
        if (!sampled) return
        const end = performance.now()
        const error = result?.error
        const outcome = error === undefined ? undefined : OUTCOMES[outcomeOfError(error)]
        const status = result?.status ?? outcome?.status ?? 'ok'
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
