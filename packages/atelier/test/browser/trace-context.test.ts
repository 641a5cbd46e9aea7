/**
 * W3C trace context into the worker: a traced call carries a `traceparent` naming its trace and
 * its own span, which its span event then reports; an untraced call carries nothing.
 */
import { expect, test } from 'vitest'
import { createTaskRuntime, type RuntimeEvent, type SpanEvent } from '../../src/index'
import { define } from './fixtures/define'

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/

test("a traced call's traceparent names its trace and its span", async () => {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const spans: SpanEvent[] = []
  runtime.subscribeEvents((event: RuntimeEvent) => {
    if (event.kind === 'span') spans.push(event)
  })
  const { task } = define({ type: 'singleton' }, runtime)
  const trace = runtime.createTrace('upload')
  const seen = (await task.with({ trace }).traceContext()) as { traceparent: string }
  trace.end()
  const [, traceId, spanId, flags] = TRACEPARENT.exec(seen.traceparent) ?? []
  expect(traceId).toBe(trace.id)
  expect(flags).toBe('01')
  const span = spans.find((s) => s.method === 'traceContext')!
  expect(span.traceId).toBe(trace.id)
  expect(span.spanId).toBe(spanId)
})

test('an untraced call carries no trace context', async () => {
  const { task } = define({ type: 'singleton' })
  expect(await task.traceContext()).toEqual({ traceparent: null, tracestate: null })
})

test('an unsampled trace says so in its flags', async () => {
  const runtime = createTaskRuntime({ observability: { spans: 'off' } })
  const { task } = define({ type: 'singleton' }, runtime)
  const trace = runtime.createTrace('quiet')
  const seen = (await task.with({ trace }).traceContext()) as { traceparent: string }
  expect(TRACEPARENT.exec(seen.traceparent)?.[3]).toBe('00')
})
