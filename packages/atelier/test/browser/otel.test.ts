/**
 * `atelier/otel` over real workers and the real OpenTelemetry SDK: one span per call, at its
 * times, with its attributes and the status of its outcome; parented under the caller's span
 * (with a synchronous context manager, the browser having no async one) or in its Atelier trace;
 * and the runtime's metrics as SDK instruments.
 */
import { context, propagation, ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api'
import { hrTimeToMilliseconds, W3CTraceContextPropagator } from '@opentelemetry/core'
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTaskRuntime, METRICS, type SpanEvent, type TaskRuntimeConfig } from '../../src/index'
import { SPAN_ATTRIBUTES as A, instrumentRuntime } from '../../src/otel'
import { StackContextManager } from '../support/otel-context'
import { define, outcome } from './fixtures/define'
import { gate, release, started } from './fixtures/harness'
import type { StreamAPI } from './fixtures/stream.worker'

beforeAll(() => {
  context.setGlobalContextManager(new StackContextManager())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
})
afterAll(() => {
  context.disable()
  propagation.disable()
})

class TestReader extends MetricReader {
  protected override onShutdown = () => Promise.resolve()
  protected override onForceFlush = () => Promise.resolve()
}

function instrumented(config: TaskRuntimeConfig = { observability: { spans: 'on' } }) {
  const runtime = createTaskRuntime(config)
  const events: SpanEvent[] = []
  runtime.subscribeEvents((event) => {
    if (event.kind === 'span') events.push(event)
  })
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  })
  const reader = new TestReader()
  const stop = instrumentRuntime(runtime, {
    tracerProvider,
    meterProvider: new MeterProvider({ readers: [reader] }),
  })
  const collect = async () => {
    const { resourceMetrics } = await reader.collect()
    const found = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
    return new Map(found.map((metric) => [metric.descriptor.name, metric]))
  }
  return {
    runtime,
    events,
    spans: () => exporter.getFinishedSpans(),
    tracer: tracerProvider.getTracer('app'),
    collect,
    stop,
  }
}

const ms = hrTimeToMilliseconds

describe('spans', () => {
  test('one span per call, at the times and with the fields of its span event', async () => {
    const { runtime, events, spans } = instrumented()
    const { task } = define({ poolSize: 2 }, runtime)
    await Promise.all([task.add(1, 2), task.add(3, 4), task.echo('x')])
    expect(spans()).toHaveLength(3)
    expect(events).toHaveLength(3)
    for (const event of events) {
      const span = spans().find((s) => s.attributes[A.spanId] === event.spanId)!
      expect(span.name).toBe(`${event.taskName} ${event.method}`)
      expect(ms(span.startTime)).toBeCloseTo(event.ts, 3)
      expect(ms(span.endTime)).toBeCloseTo(event.ts + event.durationMs, 3)
      expect(span.attributes).toEqual({
        [A.taskId]: event.taskId,
        [A.taskName]: event.taskName,
        [A.taskType]: 'parallel',
        [A.method]: event.method,
        [A.callId]: event.callId,
        [A.spanId]: event.spanId,
        [A.workerIndex]: event.workerIndex,
        [A.attemptCount]: 1,
        [A.priority]: 'user-visible',
        [A.outcome]: 'ok',
        [A.queueWaitMs]: event.queueWaitMs,
        [A.queueWaitLastMs]: event.queueWaitLastMs,
      })
      expect(span.status.code).toBe(SpanStatusCode.OK)
      expect(span.parentSpanContext).toBeUndefined()
    }
    // Each span sits where its call ran, not where the bridge heard of it.
    for (const span of spans()) expect(ms(span.endTime)).toBeLessThanOrEqual(Date.now() + 1)
  })

  test('every outcome has its status; errors record their exception', async () => {
    const { runtime, spans } = instrumented()
    const { task } = define({ type: 'singleton', maxQueueDepth: 1, queuePolicy: 'reject' }, runtime)
    await task.add(1, 2) // ok
    await outcome(task.fail('bad size')) // exception
    const held = gate()
    const holding = task.hold(held)
    await started(held)
    const queued = outcome(task.add(1, 1))
    await outcome(task.add(2, 2)) // queue
    release(held)
    await holding
    await queued
    const controller = new AbortController()
    const cancelling = gate()
    const cancelled = outcome(task.with({ signal: controller.signal }).hold(cancelling))
    await started(cancelling)
    controller.abort()
    await cancelled // abort
    const { task: slow } = define({ type: 'singleton', timeoutMs: 30 }, runtime)
    await outcome(slow.hold(gate())) // timeout
    const { task: fragile } = define({ type: 'singleton' }, runtime)
    await outcome(fragile.crash()) // crash
    const { task: doomed } = define({ type: 'singleton' }, runtime)
    const dooming = gate()
    const disposing = outcome(doomed.hold(dooming))
    await started(dooming)
    await doomed.dispose()
    await disposing // disposed

    const by = (kind: string) => spans().filter((s) => s.attributes[A.outcome] === kind)
    const only = (kind: string) => {
      const found = by(kind)
      expect(found, kind).toHaveLength(1)
      return found[0]!
    }
    expect(by('ok').map((s) => s.status)).toEqual(Array(3).fill({ code: SpanStatusCode.OK }))
    const errors: Array<[string, string]> = [
      ['exception', 'RangeError'],
      ['queue', 'QueueDropError'],
      ['timeout', 'TimeoutError'],
      ['crash', 'WorkerCrashedError'],
    ]
    for (const [kind, name] of errors) {
      const span = only(kind)
      expect(span.status.code, kind).toBe(SpanStatusCode.ERROR)
      expect(span.status.message, kind).toBeTruthy()
      expect(span.attributes[A.errorType], kind).toBe(name)
      const [exception, ...more] = span.events
      expect(more).toEqual([])
      expect(exception!.name).toBe('exception')
      expect(exception!.attributes).toEqual({
        'exception.type': name,
        'exception.message': span.status.message,
      })
      expect(ms(exception!.time)).toBeCloseTo(ms(span.endTime), 3)
    }
    expect(only('exception').status.message).toBe('bad size')
    expect(only('queue').attributes).not.toHaveProperty(A.workerIndex)
    for (const kind of ['abort', 'disposed']) {
      const span = only(kind)
      expect(span.status, kind).toEqual({ code: SpanStatusCode.UNSET })
      expect(span.events, kind).toEqual([])
      expect(span.attributes, kind).not.toHaveProperty(A.errorType)
    }
    expect(spans()).toHaveLength(9)
  })

  test("a call made inside an OpenTelemetry span is that span's child, and so is the worker's", async () => {
    const { runtime, spans, tracer } = instrumented()
    const { task } = define({ type: 'singleton' }, runtime)
    let parent: ReadableSpan | undefined
    const seen = (await tracer.startActiveSpan('request', (span) => {
      parent = span as unknown as ReadableSpan
      const call = task.traceContext()
      span.end()
      return call
    })) as { traceparent: string }
    const { traceId, spanId } = parent!.spanContext()
    expect(seen.traceparent).toBe(`00-${traceId}-${spanId}-01`)
    const [call] = spans().filter((s) => s.name.endsWith(' traceContext'))
    expect(call!.spanContext().traceId).toBe(traceId)
    expect(call!.parentSpanContext).toMatchObject({ traceId, spanId, isRemote: false })
    // What a worker does with ctx.traceparent: extract it and parent its own spans on it.
    const extracted = propagation.extract(ROOT_CONTEXT, { traceparent: seen.traceparent })
    const work = tracer.startSpan('work', {}, extracted)
    work.end()
    const worked = work as unknown as ReadableSpan
    expect(worked.spanContext().traceId).toBe(traceId)
    expect(worked.parentSpanContext?.spanId).toBe(spanId)
  })

  test('a call in an Atelier trace is in that trace, beside the spans its worker makes', async () => {
    const { runtime, spans, tracer } = instrumented()
    const { task } = define({ type: 'singleton' }, runtime)
    const upload = runtime.createTrace('upload')
    const seen = (await task.with({ trace: upload }).traceContext()) as { traceparent: string }
    upload.end()
    const [, traceId, spanId] = seen.traceparent.split('-')
    expect(traceId).toBe(upload.id)
    const [call, ...rest] = spans()
    expect(rest).toEqual([])
    expect(call!.spanContext().traceId).toBe(upload.id)
    expect(call!.attributes[A.spanId]).toBe(spanId)
    expect(call!.attributes[A.traceName]).toBe('upload')
    expect(call!.parentSpanContext).toMatchObject({ traceId, spanId, isRemote: true })
    const extracted = propagation.extract(ROOT_CONTEXT, { traceparent: seen.traceparent })
    const work = tracer.startSpan('work', {}, extracted)
    work.end()
    const worked = work as unknown as ReadableSpan
    expect(worked.spanContext().traceId).toBe(upload.id)
    expect(worked.parentSpanContext?.spanId).toBe(call!.parentSpanContext?.spanId)
  })

  test('a stream is one span, with its chunks', async () => {
    const { runtime, spans } = instrumented()
    const streams = runtime.defineTask<StreamAPI>({
      type: 'singleton',
      worker: () =>
        new Worker(new URL('./fixtures/stream.worker.ts', import.meta.url), { type: 'module' }),
    })
    try {
      const chunks: number[] = []
      for await (const chunk of streams.count(3)) chunks.push(chunk)
      expect(chunks).toEqual([0, 1, 2])
    } finally {
      await streams.dispose()
    }
    const [span, ...rest] = spans()
    expect(rest).toEqual([])
    expect(span!.attributes[A.streamChunks]).toBe(3)
    expect(span!.attributes[A.streamFirstChunkMs]).toBeGreaterThanOrEqual(0)
  })

  test('spans off: no spans, metrics still', async () => {
    const { runtime, spans, collect } = instrumented({ observability: { spans: 'off' } })
    const { task } = define({ type: 'singleton' }, runtime)
    await task.add(1, 2)
    expect(spans()).toEqual([])
    // Counts are summed over a burst and emitted after it.
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect((await collect()).get(METRICS.successTotal)?.dataPoints[0]?.value).toBe(1)
  })

  test('stopping ends it: later calls make no span', async () => {
    const { runtime, spans, stop } = instrumented()
    const { task } = define({ type: 'singleton' }, runtime)
    await task.add(1, 2)
    stop()
    stop()
    await task.add(1, 2)
    expect(spans()).toHaveLength(1)
  })
})

describe('metrics', () => {
  test('counters, histograms and gauges reach the meter under their names', async () => {
    const { runtime, collect } = instrumented()
    const { task } = define({ type: 'parallel', poolSize: 2 }, runtime)
    await Promise.all([task.add(1, 2), task.add(3, 4), task.add(5, 6)])
    await outcome(task.fail('x'))
    // Gauges are read once per burst of changes, after it.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const found = await collect()
    const sum = (name: string) =>
      found.get(name)!.dataPoints.reduce((total, point) => total + (point.value as number), 0)
    expect(found.get(METRICS.successTotal)).toMatchObject({
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
    })
    expect(sum(METRICS.successTotal)).toBe(3)
    expect(sum(METRICS.failureTotal)).toBe(1)
    expect(sum(METRICS.dispatchTotal)).toBe(4)
    expect(sum(METRICS.workerSpawnTotal)).toBe(2)
    const success = found.get(METRICS.successTotal)!.dataPoints[0]!
    expect(success.attributes).toMatchObject({
      'task.id': task.getState().taskId,
      'task.type': 'parallel',
      'task.method': 'add',
    })
    const duration = found.get(METRICS.taskDuration)!
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM)
    expect(duration.descriptor.unit).toBe('ms')
    const counts = duration.dataPoints.map((p) => (p.value as { count: number }).count)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4)
    expect(found.get(METRICS.queueWait)!.dataPointType).toBe(DataPointType.HISTOGRAM)
    const active = found.get(METRICS.workersActive)!
    expect(active.dataPointType).toBe(DataPointType.GAUGE)
    expect(active.dataPoints.map((p) => p.value)).toEqual([2])
    const inFlight = found.get(METRICS.inFlight)!
    expect(inFlight.dataPoints.map((p) => p.value)).toEqual([0])
  })
})
