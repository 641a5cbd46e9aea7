/**
 * `atelier/otel`: a runtime's spans and metrics as OpenTelemetry spans and instruments. Depends
 * on `@opentelemetry/api` alone (an optional peer of the package), never on an SDK: the app
 * brings the providers, and `atelier` itself never imports this entry.
 * @example
 * import { instrumentRuntime } from 'atelier/otel'
 *
 * const runtime = createTaskRuntime({ observability: { spans: 'on' } })
 * const stop = instrumentRuntime(runtime, { tracerProvider, meterProvider })
 */

import { type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api'
import { describe, hasMethod } from './describe.js'
import type { RuntimeEvent } from './events.js'
import { createMetricRecorder } from './otel/metrics.js'
import { recordSpan } from './otel/spans.js'

export { SPAN_ATTRIBUTES } from './otel/spans.js'

/** The tracer and meter are named after the library. */
const SCOPE = 'atelier'

export interface InstrumentRuntimeOptions {
  /** @default the global one (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider
  /** @default the global one (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider
}

/** What `instrumentRuntime` needs of a runtime: its event stream. */
export interface InstrumentableRuntime {
  subscribeEvents(listener: (event: RuntimeEvent) => void): () => void
}

/**
 * Turns every span event of `runtime` into an OpenTelemetry span and every metric event into a
 * measurement on the `atelier` meter. Spans need the runtime's spans on (`'on'`, or `'auto'`
 * outside a production build). Returns the function that stops it; calling it again does nothing.
 */
export function instrumentRuntime(
  runtime: InstrumentableRuntime,
  options: InstrumentRuntimeOptions = {},
): () => void {
  if (!hasMethod(runtime, 'subscribeEvents')) {
    fail(`expected a runtime from createTaskRuntime(), received ${describe(runtime)}`)
  }
  if (options === null || typeof options !== 'object') {
    fail(`options must be an object, received ${describe(options)}`)
  }
  // Read once, each read named: a revoked Proxy or a getter that throws fails here, said so
  // (what it threw is the error's cause). By hand rather than with options.ts's `readOptions`,
  // whose did-you-mean search would cost this opt-in entry about a tenth of its 2 KB budget
  // for two option names.
  let keys: string[]
  try {
    keys = Object.keys(options)
  } catch (cause) {
    throw new TypeError('instrumentRuntime: its options could not be read', { cause })
  }
  for (const key of keys) {
    // A misspelt provider would otherwise fall back to the global one without a word.
    if (key !== 'tracerProvider' && key !== 'meterProvider') {
      fail(`no option "${key}" (options: tracerProvider, meterProvider)`)
    }
  }
  const read = <K extends keyof InstrumentRuntimeOptions>(key: K) => {
    try {
      return options[key]
    } catch (cause) {
      throw new TypeError(`instrumentRuntime: reading ${key} threw`, { cause })
    }
  }
  const tracerProvider = read('tracerProvider') ?? trace.getTracerProvider()
  const meterProvider = read('meterProvider') ?? metrics.getMeterProvider()
  if (!hasMethod(tracerProvider, 'getTracer')) {
    fail(`tracerProvider must be a TracerProvider, received ${describe(tracerProvider)}`)
  }
  if (!hasMethod(meterProvider, 'getMeter')) {
    fail(`meterProvider must be a MeterProvider, received ${describe(meterProvider)}`)
  }
  const tracer = tracerProvider.getTracer(SCOPE)
  const recorder = createMetricRecorder(meterProvider.getMeter(SCOPE))
  let unsubscribe: (() => void) | undefined = runtime.subscribeEvents((event) => {
    if (event.kind === 'span') recordSpan(tracer, event)
    else if (event.kind !== 'trace') recorder.record(event)
    // Trace events have no span of their own: the API cannot give one the trace's id as its own
    // root. A call's span already carries its trace's id.
  })
  return () => {
    if (unsubscribe === undefined) return
    unsubscribe()
    unsubscribe = undefined
    recorder.stop()
  }
}

function fail(message: string): never {
  throw new TypeError(`instrumentRuntime: ${message}`)
}
