/**
 * `atelier/otel` against the real OpenTelemetry SDK, fed hand-made events: how each field of a
 * span event lands on its span, each status, each kind of parent, and each kind of metric. The
 * browser test (test/browser/otel.test.ts) runs the same bridge over real workers.
 */
import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { hrTimeToMilliseconds } from '@opentelemetry/core'
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterEach, describe, expect, it } from 'vitest'
import type { MetricEvent, RuntimeEvent, SpanEvent } from '../../src/index'
import { METRICS } from '../../src/index'
import { instrumentRuntime, SPAN_ATTRIBUTES } from '../../src/otel'

/** A reader the test collects from when it likes. */
class TestReader extends MetricReader {
  protected override onShutdown = () => Promise.resolve()
  protected override onForceFlush = () => Promise.resolve()
}

/** A runtime reduced to its event stream, which the test drives. */
function fakeRuntime() {
  const listeners = new Set<(event: RuntimeEvent) => void>()
  return {
    subscribeEvents(listener: (event: RuntimeEvent) => void) {
      const own = (event: RuntimeEvent) => listener(event)
      listeners.add(own)
      return () => listeners.delete(own)
    },
    emit(event: RuntimeEvent) {
      for (const listener of listeners) listener(event)
    },
    get listeners() {
      return listeners.size
    },
  }
}

function setup() {
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  })
  const reader = new TestReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const runtime = fakeRuntime()
  const stop = instrumentRuntime(runtime, { tracerProvider, meterProvider })
  /** Every data point of `name` collected now, with its attributes. */
  const collect = async (name: string) => {
    const { resourceMetrics } = await reader.collect()
    const metric = resourceMetrics.scopeMetrics
      .filter((scope) => scope.scope.name === 'atelier')
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === name)
    return metric
  }
  return { exporter, runtime, stop, collect }
}

const TS = Date.now() + 0.25

function span(fields: Partial<SpanEvent> = {}): SpanEvent {
  return {
    kind: 'span',
    name: 'atelier:span',
    ts: TS,
    spanId: '00000000000000a1',
    callId: '7',
    taskId: 'resize-1',
    taskName: 'resize',
    taskType: 'parallel',
    method: 'thumbnail',
    attemptCount: 1,
    priority: 'user-visible',
    durationMs: 12.5,
    status: 'ok',
    ...fields,
  }
}

const ATTRS = Object.freeze({
  'task.id': 'resize-1',
  'task.type': 'parallel' as const,
  'task.name': 'resize',
  'task.method': 'thumbnail',
})

function metric(
  name: MetricEvent['name'],
  kind: MetricEvent['kind'],
  value: number,
  attrs: MetricEvent['attrs'] = ATTRS,
) {
  return { kind, name, value, ts: Date.now(), attrs } satisfies MetricEvent
}

const A = SPAN_ATTRIBUTES
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'

describe('spans', () => {
  it('one span per span event, at the times the event recorded', () => {
    const { exporter, runtime } = setup()
    runtime.emit(
      span({ workerIndex: 1, queueWaitMs: 2, queueWaitLastMs: 1.5, traceName: 'upload' }),
    )
    const [otel, ...rest] = exporter.getFinishedSpans()
    expect(rest).toEqual([])
    expect(otel!.name).toBe('resize thumbnail')
    expect(otel!.kind).toBe(SpanKind.INTERNAL)
    expect(otel!.instrumentationScope.name).toBe('atelier')
    expect(hrTimeToMilliseconds(otel!.startTime)).toBeCloseTo(TS, 3)
    expect(hrTimeToMilliseconds(otel!.endTime)).toBeCloseTo(TS + 12.5, 3)
    expect(hrTimeToMilliseconds(otel!.duration)).toBeCloseTo(12.5, 3)
    expect(otel!.attributes).toEqual({
      [A.taskId]: 'resize-1',
      [A.taskName]: 'resize',
      [A.taskType]: 'parallel',
      [A.method]: 'thumbnail',
      [A.callId]: '7',
      [A.spanId]: '00000000000000a1',
      [A.traceName]: 'upload',
      [A.workerIndex]: 1,
      [A.attemptCount]: 1,
      [A.priority]: 'user-visible',
      [A.outcome]: 'ok',
      [A.queueWaitMs]: 2,
      [A.queueWaitLastMs]: 1.5,
    })
    expect(otel!.status).toEqual({ code: SpanStatusCode.OK })
    expect(otel!.events).toEqual([])
  })

  it('a stream carries its chunks and the time to its first', () => {
    const { exporter, runtime } = setup()
    runtime.emit(span({ chunks: 4, firstChunkMs: 3.25 }))
    runtime.emit(span({ chunks: 0 }))
    const [streamed, empty] = exporter.getFinishedSpans()
    expect(streamed!.attributes).toMatchObject({
      [A.streamChunks]: 4,
      [A.streamFirstChunkMs]: 3.25,
    })
    expect(empty!.attributes[A.streamChunks]).toBe(0)
    expect(empty!.attributes).not.toHaveProperty(A.streamFirstChunkMs)
  })

  it.each([
    ['exception', 'RangeError', 'bad size'],
    ['timeout', 'TimeoutError', 'timed out after 30 ms'],
    ['queue', 'QueueDropError', 'queue full'],
    ['crash', 'WorkerCrashedError', 'worker crashed'],
  ] as const)('an %s is an ERROR with its exception recorded', (kind, name, message) => {
    const { exporter, runtime } = setup()
    runtime.emit(span({ status: 'error', errorKind: kind, error: { name, message } }))
    const [otel] = exporter.getFinishedSpans()
    expect(otel!.status).toEqual({ code: SpanStatusCode.ERROR, message })
    expect(otel!.attributes).toMatchObject({ [A.outcome]: kind, [A.errorType]: name })
    expect(otel!.events).toHaveLength(1)
    const [exception] = otel!.events
    expect(exception!.name).toBe('exception')
    expect(exception!.attributes).toEqual({ 'exception.type': name, 'exception.message': message })
    expect(hrTimeToMilliseconds(exception!.time)).toBeCloseTo(TS + 12.5, 3)
  })

  it.each(['abort', 'disposed'] as const)('a %s is canceled: UNSET, no exception', (kind) => {
    const { exporter, runtime } = setup()
    runtime.emit(
      span({ status: 'canceled', errorKind: kind, error: { name: 'AbortError', message: 'x' } }),
    )
    const [otel] = exporter.getFinishedSpans()
    expect(otel!.status).toEqual({ code: SpanStatusCode.UNSET })
    expect(otel!.attributes[A.outcome]).toBe(kind)
    expect(otel!.attributes).not.toHaveProperty(A.errorType)
    expect(otel!.events).toEqual([])
  })

  it("a call made inside an OpenTelemetry span is that span's child", () => {
    const { exporter, runtime } = setup()
    runtime.emit(span({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' }))
    const [otel] = exporter.getFinishedSpans()
    expect(otel!.spanContext().traceId).toBe(TRACE_ID)
    expect(otel!.parentSpanContext).toMatchObject({
      traceId: TRACE_ID,
      spanId: '00f067aa0ba902b7',
      isRemote: false,
    })
  })

  it("a call in an Atelier trace joins that trace, under the id its worker's traceparent names", () => {
    const { exporter, runtime } = setup()
    runtime.emit(span({ traceId: TRACE_ID, traceName: 'upload' }))
    const [otel] = exporter.getFinishedSpans()
    expect(otel!.spanContext().traceId).toBe(TRACE_ID)
    expect(otel!.parentSpanContext).toMatchObject({
      traceId: TRACE_ID,
      spanId: '00000000000000a1',
      isRemote: true,
    })
    expect(otel!.spanContext().spanId).not.toBe('00000000000000a1')
  })

  it('an untraced call is a root span, whatever context is active when it is delivered', () => {
    const { exporter, runtime } = setup()
    const other = new BasicTracerProvider().getTracer('other')
    other.startActiveSpan('unrelated', (active) => {
      runtime.emit(span())
      active.end()
    })
    const [otel] = exporter.getFinishedSpans()
    expect(otel!.parentSpanContext).toBeUndefined()
  })

  it('trace events make no span', () => {
    const { exporter, runtime } = setup()
    runtime.emit({
      kind: 'trace',
      name: 'atelier:trace',
      ts: TS,
      traceId: TRACE_ID,
      durationMs: 3,
      status: 'ok',
    })
    expect(exporter.getFinishedSpans()).toEqual([])
  })
})

describe('metrics', () => {
  it('counters add, under the metric name and its attributes', async () => {
    const { runtime, collect } = setup()
    runtime.emit(metric(METRICS.successTotal, 'counter', 1))
    runtime.emit(metric(METRICS.successTotal, 'counter', 1))
    const other = Object.freeze({ ...ATTRS, 'task.method': 'crop' })
    runtime.emit(metric(METRICS.successTotal, 'counter', 1, other))
    const success = await collect(METRICS.successTotal)
    expect(success).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true })
    expect(success!.dataPoints.map((p) => [p.attributes['task.method'], p.value])).toEqual([
      ['thumbnail', 2],
      ['crop', 1],
    ])
    expect(success!.dataPoints[0]!.attributes).toEqual(ATTRS)
  })

  it('counters sum series with equal attributes held in distinct objects', async () => {
    const { runtime, collect } = setup()
    runtime.emit(metric(METRICS.successTotal, 'counter', 1))
    runtime.emit(metric(METRICS.successTotal, 'counter', 2, Object.freeze({ ...ATTRS })))
    const success = await collect(METRICS.successTotal)
    expect(success!.dataPoints.map((p) => p.value)).toEqual([3])
  })

  it('histograms record, in milliseconds', async () => {
    const { runtime, collect } = setup()
    runtime.emit(metric(METRICS.taskDuration, 'histogram', 4))
    runtime.emit(metric(METRICS.taskDuration, 'histogram', 6))
    const duration = await collect(METRICS.taskDuration)
    expect(duration!.dataPointType).toBe(DataPointType.HISTOGRAM)
    expect(duration!.descriptor.unit).toBe('ms')
    expect(duration!.dataPoints[0]!.value).toMatchObject({ count: 2, sum: 10, min: 4, max: 6 })
  })

  it('gauges report the latest level of each series', async () => {
    const { runtime, collect } = setup()
    const worker = Object.freeze({ ...ATTRS, 'worker.index': 1 })
    runtime.emit(metric(METRICS.inFlight, 'gauge', 3))
    runtime.emit(metric(METRICS.inFlight, 'gauge', 1))
    runtime.emit(metric(METRICS.inFlight, 'gauge', 5, worker))
    const inFlight = await collect(METRICS.inFlight)
    expect(inFlight!.dataPointType).toBe(DataPointType.GAUGE)
    expect(inFlight!.dataPoints.map((p) => [p.attributes['worker.index'], p.value])).toEqual([
      [undefined, 1],
      [1, 5],
    ])
    runtime.emit(metric(METRICS.inFlight, 'gauge', 0))
    const later = await collect(METRICS.inFlight)
    expect(later!.dataPoints.map((p) => p.value)).toEqual([0, 5])
  })
})

describe('stopping', () => {
  it('unsubscribes once, however often it is called', async () => {
    const { exporter, runtime, stop, collect } = setup()
    runtime.emit(metric(METRICS.pending, 'gauge', 2))
    runtime.emit(metric(METRICS.dispatchTotal, 'counter', 1))
    expect(runtime.listeners).toBe(1)
    stop()
    stop()
    expect(runtime.listeners).toBe(0)
    runtime.emit(span())
    runtime.emit(metric(METRICS.dispatchTotal, 'counter', 1))
    expect(exporter.getFinishedSpans()).toEqual([])
    expect((await collect(METRICS.dispatchTotal))!.dataPoints[0]!.value).toBe(1)
    // The gauge's callback is gone: nothing observes it any more.
    expect((await collect(METRICS.pending))?.dataPoints ?? []).toEqual([])
  })
})

describe('arguments', () => {
  it.each([
    [
      'no runtime',
      undefined,
      {},
      'expected a runtime from createTaskRuntime(), received undefined',
    ],
    ['options null', 'runtime', null, 'options must be an object, received null'],
    [
      'a misspelt option',
      'runtime',
      { traceProvider: {} },
      'no option "traceProvider" (options: tracerProvider, meterProvider)',
    ],
    [
      'tracerProvider',
      'runtime',
      { tracerProvider: {} },
      'tracerProvider must be a TracerProvider, received an object',
    ],
    [
      'meterProvider',
      'runtime',
      { meterProvider: 'global' },
      'meterProvider must be a MeterProvider, received "global"',
    ],
  ])('%s: a TypeError naming it, and no subscription', (_label, given, options, message) => {
    const runtime = fakeRuntime()
    const call = () =>
      instrumentRuntime((given === 'runtime' ? runtime : given) as never, options as never)
    expect(call).toThrow(TypeError)
    expect(call).toThrow(`instrumentRuntime: ${message}`)
    expect(runtime.listeners).toBe(0)
  })
})

describe('without providers', () => {
  afterEach(() => {
    trace.disable()
    metrics.disable()
  })

  it('uses the globally registered ones', async () => {
    const exporter = new InMemorySpanExporter()
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    )
    const reader = new TestReader()
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
    const runtime = fakeRuntime()
    const stop = instrumentRuntime(runtime)
    runtime.emit(span())
    runtime.emit(metric(METRICS.workerSpawnTotal, 'counter', 1))
    stop()
    expect(exporter.getFinishedSpans()).toHaveLength(1)
    const { resourceMetrics } = await reader.collect()
    const names = resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics.map((m) => m.descriptor.name),
    )
    expect(names).toEqual([METRICS.workerSpawnTotal])
  })

  it('costs nothing but no-ops where none is registered', () => {
    const runtime = fakeRuntime()
    const stop = instrumentRuntime(runtime)
    expect(() => {
      runtime.emit(
        span({ status: 'error', errorKind: 'exception', error: { name: 'E', message: 'm' } }),
      )
      runtime.emit(metric(METRICS.inFlight, 'gauge', 1))
    }).not.toThrow()
    stop()
  })
})

describe('the entry', () => {
  const sources = import.meta.glob<string>('../../src/**/*.ts', {
    query: '?raw',
    import: 'default',
    eager: true,
  })

  it('only atelier/otel imports OpenTelemetry', () => {
    const importers = Object.entries(sources)
      .filter(([, text]) => /from\s+'@opentelemetry\//.test(text))
      .map(([path]) => path.replace('../../src/', ''))
    expect(importers.length).toBeGreaterThan(0)
    for (const file of importers) expect(file).toMatch(/^otel(\.ts$|\/)/)
  })
})
