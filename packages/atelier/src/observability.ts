/**
 * Metrics, spans and traces: listeners on the executor's event bus, nothing more. Metric
 * listeners are attached only while someone subscribes to events; the span recorder only while
 * spans are on. With spans off and no subscriber, observability costs dispatch nothing.
 */

import type { EventBus } from './event-bus.js'
import type { RuntimeEvent } from './events.js'
import type { ExecutorEvents } from './executor-events.js'
import { attachMetrics } from './metric-listeners.js'
import { reportListenerError } from './report-error.js'
import { createSpanRecorder } from './spans.js'
import { createTraceFactory, type Trace } from './trace.js'

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

  if (spans.enabled) {
    bus.on(
      'settled',
      createSpanRecorder({ sampleRate: spans.sampleRate, measures, idPrefix, publish }),
    )
  }
  const createTrace = createTraceFactory({ ...spans, measures, idPrefix, publish })

  return {
    subscribeEvents(listener) {
      listeners = [...listeners, listener]
      detachMetrics ??= attachMetrics(bus, publish)
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
