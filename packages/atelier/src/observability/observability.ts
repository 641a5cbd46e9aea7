/**
 * Metrics, spans and traces: listeners on the executor's event bus, nothing more. Metric
 * listeners are attached only while someone subscribes to events; the span recorder only while
 * spans are on. With spans off and no subscriber, observability costs dispatch nothing.
 */

import { describe } from '../describe.js'
import type { RuntimeEvent, Trace } from '../events.js'
import type { ExecutorEvents, FactSource } from '../facts.js'
import { type ObservabilityConfig, readOptions } from '../options.js'
import { reportListenerError } from '../report-error.js'
import { attachMetrics } from './metric-listeners.js'
import { createSpanRecorder } from './spans.js'
import { resolveMeasures } from './timeline.js'
import { createTraceFactory } from './trace.js'

export interface Observability {
  subscribeEvents(listener: (event: RuntimeEvent) => void): () => void
  createTrace(name?: string): Trace
  runWithTrace<T>(name: string, fn: (trace: Trace) => T | Promise<T>): Promise<T>
}

// Declared here rather than taken from @types/node: the library reads `process` only where a
// bundler has replaced the expression, or inside a `try` on hosts that have none.
declare const process: { env: { NODE_ENV?: string } }

/** `process.env.NODE_ENV` as a bundler replaced it or the host has it; undefined if neither. */
function nodeEnv(): unknown {
  try {
    // Written out whole and unguarded, because bundlers `define` this exact expression. A
    // `typeof process` guard would defeat them: esbuild and rolldown leave it as it is, so in
    // a browser it is false even after the replacement.
    return process.env.NODE_ENV
  } catch {
    return undefined
  }
}

/** Vite's `import.meta.env` (replaced by an object at build time), where there is one. */
function viteEnv(): unknown {
  try {
    return (import.meta as { env?: unknown }).env
  } catch {
    return undefined
  }
}

/**
 * Whether `spans: 'auto'` means on, given Vite's `import.meta.env` and `process.env.NODE_ENV`
 * as found. Vite's flags win (`DEV`, else `PROD`), then `NODE_ENV` (`'production'` is the one
 * production value, as in React); a build nobody marked as production is taken for
 * development. Exported for tests.
 */
export function isDevelopmentBuild(env: unknown, node: unknown): boolean {
  if (typeof env === 'object' && env !== null) {
    const { DEV, PROD } = env as { DEV?: unknown; PROD?: unknown }
    if (typeof DEV === 'boolean') return DEV
    if (typeof PROD === 'boolean') return !PROD
  }
  if (typeof node === 'string') return node !== 'production'
  return true
}

export function resolveSpans(config: ObservabilityConfig['spans']): {
  enabled: boolean
  sampleRate: number
} {
  const { mode = 'auto', sampleRate = 1 } =
    typeof config === 'object' && config !== null
      ? (readOptions('observability.spans', config, SPANS_OPTIONS) as {
          mode?: unknown
          sampleRate?: unknown
        })
      : { mode: config }
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') {
    throw new TypeError(
      `observability.spans mode must be "auto", "on" or "off", received ${describe(mode)}`,
    )
  }
  if (typeof sampleRate !== 'number' || Number.isNaN(sampleRate)) {
    throw new TypeError(
      `observability.spans.sampleRate must be a number, received ${describe(sampleRate)}`,
    )
  }
  return {
    enabled: mode === 'on' || (mode === 'auto' && isDevelopmentBuild(viteEnv(), nodeEnv())),
    sampleRate: Math.min(1, Math.max(0, sampleRate)),
  }
}

export function createObservability(
  bus: FactSource<ExecutorEvents>,
  given: ObservabilityConfig = {},
): Observability {
  if (given === null || typeof given !== 'object') {
    throw new TypeError(
      `createTaskRuntime: observability must be an object, received ${describe(given)}`,
    )
  }
  // Read once, unknown keys refused: a misspelt `span: 'on'` would leave spans as they were.
  const config = readOptions(
    'createTaskRuntime: observability',
    given,
    OPTIONS,
  ) as ObservabilityConfig
  const spans = resolveSpans(config.spans)
  const measures = resolveMeasures(config.measures)
  // One record per subscription, so the same function subscribed twice is two subscriptions,
  // and unsubscribing one leaves the other. Replaced, never mutated, while publishing.
  let subscriptions: Subscription[] = []
  let detachMetrics: (() => void) | undefined

  function publish(event: RuntimeEvent): void {
    const list = subscriptions
    for (let i = 0; i < list.length; i++) {
      const subscription = list[i]!
      // Unsubscribed by an earlier listener during this event: it hears nothing more.
      if (!subscription.active) continue
      try {
        subscription.listener(event)
      } catch (error) {
        reportListenerError(error)
      }
    }
  }

  if (spans.enabled) {
    const listening = () => subscriptions.length > 0
    bus.on(
      'settled',
      createSpanRecorder({ sampleRate: spans.sampleRate, measures, publish, listening }),
    )
  }
  const createTrace = createTraceFactory({ ...spans, measures, publish })

  return {
    subscribeEvents(listener) {
      if (typeof listener !== 'function') {
        throw new TypeError(
          `subscribeEvents needs a listener function, received ${listener === null ? 'null' : typeof listener}`,
        )
      }
      const subscription: Subscription = { listener, active: true }
      subscriptions = [...subscriptions, subscription]
      detachMetrics ??= attachMetrics(bus, publish)
      return () => {
        if (!subscription.active) return
        subscription.active = false
        subscriptions = subscriptions.filter((s) => s !== subscription)
        if (subscriptions.length === 0 && detachMetrics) {
          detachMetrics()
          detachMetrics = undefined
        }
      }
    },
    createTrace,
    async runWithTrace(name, fn) {
      if (name !== undefined && typeof name !== 'string') {
        throw new TypeError(`runWithTrace: name must be a string, received ${describe(name)}`)
      }
      if (typeof fn !== 'function') {
        throw new TypeError(`runWithTrace: fn must be a function, received ${describe(fn)}`)
      }
      const trace = createTrace(name)
      let value: Awaited<ReturnType<typeof fn>>
      try {
        value = await fn(trace)
      } catch (error) {
        // The error's class says how it ended (an AbortError is `canceled`, a TimeoutError an
        // `error`), as for a call's span. A thrown `undefined` still ends in `error`.
        trace.end(error === undefined ? { status: 'error' } : { error })
        throw error
      }
      trace.end({ status: 'ok' })
      return value
    },
  }
}

const OPTIONS: ReadonlySet<string> = new Set(['spans', 'measures'] satisfies Array<
  keyof ObservabilityConfig
>)
const SPANS_OPTIONS: ReadonlySet<string> = new Set(['mode', 'sampleRate'])

interface Subscription {
  readonly listener: (event: RuntimeEvent) => void
  active: boolean
}
