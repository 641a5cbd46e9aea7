/**
 * A call made inside an OpenTelemetry span carries that span's context into the worker: a span
 * the worker makes with the real SDK, from `ctx.traceparent`, has the caller's span as parent.
 */
import { context } from '@opentelemetry/api'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import { afterAll, expect, test } from 'vitest'
import { createTaskRuntime, type RuntimeEvent, type SpanEvent } from '../../src/index'
import { StackContextManager } from '../support/otel-context'
import type { OtelAPI } from './fixtures/otel.worker'

context.setGlobalContextManager(new StackContextManager())
afterAll(() => context.disable())

const provider = new BasicTracerProvider()
const tracer = provider.getTracer('page')

test("the worker's span has the caller's span as parent, in the caller's trace", async () => {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const spans: SpanEvent[] = []
  runtime.subscribeEvents((event: RuntimeEvent) => {
    if (event.kind === 'span') spans.push(event)
  })
  const task = runtime.defineTask<OtelAPI>({
    type: 'singleton',
    worker: () =>
      new Worker(new URL('./fixtures/otel.worker.ts', import.meta.url), { type: 'module' }),
  })
  try {
    let caller: { traceId: string; spanId: string } | undefined
    const result = await tracer.startActiveSpan('click', (span) => {
      caller = span.spanContext()
      const call = task.resize(640)
      span.end()
      return call
    })
    expect(result.traceId).toBe(caller!.traceId)
    expect(result.parentSpanId).toBe(caller!.spanId)
    // Atelier's own span joins the same trace, under the same parent.
    expect(spans[0]).toMatchObject({ traceId: caller!.traceId, parentSpanId: caller!.spanId })

    // Outside any span: no parent, and nothing sent.
    const untraced = await task.resize(320)
    expect(untraced.parentSpanId).toBeNull()
    expect(untraced.traceId).not.toBe(caller!.traceId)
  } finally {
    await task.dispose()
  }
})
