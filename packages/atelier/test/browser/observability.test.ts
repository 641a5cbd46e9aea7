import { afterEach, describe, expect, test, vi } from 'vitest'
import {
  createTaskRuntime,
  METRICS,
  type MetricEvent,
  type RuntimeEvent,
  type RuntimeSnapshot,
  type SpanEvent,
  type TaskRuntimeConfig,
  type TraceEvent,
} from '../../src/index'
import { flushMeasures } from '../../src/observability/timeline'
import { define, outcome } from './fixtures/define'
import { gate, release, started } from './fixtures/harness'

function record(config: TaskRuntimeConfig = { observability: { spans: 'on' } }) {
  const runtime = createTaskRuntime(config)
  const events: RuntimeEvent[] = []
  const unsubscribe = runtime.subscribeEvents((event) => events.push(event))
  const spans = () => events.filter((e): e is SpanEvent => e.kind === 'span')
  const metrics = () =>
    events.filter((e): e is MetricEvent => e.kind !== 'span' && e.kind !== 'trace')
  const traces = () => events.filter((e): e is TraceEvent => e.kind === 'trace')
  return { runtime, events, spans, metrics, traces, unsubscribe }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

function boom(): never {
  throw new Error('keyOf failed')
}

describe('metrics', () => {
  test('every metric is emitted over a run with success, error, cancel, drop, crash and restart', async () => {
    const { runtime, metrics } = record()
    const { task } = define(
      {
        type: 'singleton',
        maxQueueDepth: 1,
        queuePolicy: 'reject',
        crashPolicy: 'restart-requeue-in-flight',
        idleTimeoutMs: 50,
      },
      runtime,
    )
    await task.add(1, 2) // success, spawn, dispatch
    await outcome(task.fail('x')) // failure
    const g = gate()
    const held = task.hold(g)
    await started(g)
    const queued = outcome(task.with({ signal: AbortSignal.timeout(10_000) }).add(1, 1))
    const dropped = await outcome(task.add(2, 2)) // rejected: pending is full
    expect(dropped.ok).toBe(false)
    release(g)
    await held
    await queued
    const controller = new AbortController()
    const cancelled = outcome(task.with({ signal: controller.signal }).hold(gate()))
    controller.abort()
    await cancelled // canceled
    await expect(task.crashInFirstWorker(1)).resolves.toBe('1@1') // crash, requeue, restart
    const { task: slow } = define({ type: 'singleton', timeoutMs: 30 }, runtime)
    await outcome(slow.hold(gate())) // timed out
    await expect.poll(() => task.getState().activeWorkers, { timeout: 3000 }).toBe(0) // idle → terminate
    const names = new Set(metrics().map((m) => m.name))
    for (const name of Object.values(METRICS)) expect(names, name).toContain(name)
    const spawn = metrics().filter((m) => m.name === METRICS.workerSpawnTotal)
    expect(spawn.length).toBeGreaterThanOrEqual(2)
    const success = metrics().find((m) => m.name === METRICS.successTotal)!
    expect(success).toMatchObject({
      kind: 'counter',
      value: 1,
      ts: expect.any(Number),
      attrs: {
        'task.id': 'task-1',
        'task.type': 'singleton',
        'task.name': 'task-1',
        'task.method': 'add',
        'worker.index': 0,
      },
    })
    const gauge = metrics().find((m) => m.name === METRICS.inFlight)!
    expect(gauge.kind).toBe('gauge')
    const histogram = metrics().find((m) => m.name === METRICS.taskDuration)!
    expect(histogram.kind).toBe('histogram')
    expect(histogram.value).toBeGreaterThanOrEqual(0)
  })

  test('nothing is emitted to a listener after it unsubscribes', async () => {
    const { runtime, events, unsubscribe } = record()
    const { task } = define({}, runtime)
    await task.add(1, 1)
    const seen = events.length
    expect(seen).toBeGreaterThan(0)
    unsubscribe()
    await task.add(1, 1)
    expect(events.length).toBe(seen)
  })

  test('a throwing listener is reported and breaks neither dispatch nor other listeners', async () => {
    const report = vi.fn()
    vi.stubGlobal('reportError', report)
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const boom = new Error('listener bug')
    const unsubscribeFaulty = runtime.subscribeEvents(() => {
      throw boom
    })
    const seen: RuntimeEvent[] = []
    runtime.subscribeEvents((event) => seen.push(event))
    const { task } = define({}, runtime)
    await expect(task.add(2, 3)).resolves.toBe(5)
    expect(seen.some((e) => e.kind === 'span')).toBe(true)
    expect(report).toHaveBeenCalledWith(boom)
    unsubscribeFaulty()
  })
})

describe('spans', () => {
  test('a successful call becomes one span with its timings', async () => {
    const { runtime, spans } = record()
    const { task } = define({ taskName: 'Adder' }, runtime)
    await task.add(1, 2)
    expect(spans()).toEqual([
      expect.objectContaining({
        kind: 'span',
        name: 'atelier:span',
        spanId: expect.any(String),
        callId: expect.any(String),
        taskId: 'task-1',
        taskName: 'Adder',
        taskType: 'parallel',
        method: 'add',
        workerIndex: 0,
        attemptCount: 1,
        status: 'ok',
      }),
    ])
    const [span] = spans()
    expect(span!.durationMs).toBeGreaterThanOrEqual(span!.queueWaitMs!)
    expect(span!.errorKind).toBeUndefined()
  })

  test('each outcome has its status and errorKind', async () => {
    const { runtime, spans } = record()
    const { task } = define(
      {
        type: 'singleton',
        maxInFlight: 1,
        maxQueueDepth: 1,
        queuePolicy: 'drop-latest',
        timeoutMs: 5_000,
      },
      runtime,
    )
    await outcome(task.fail('bad'))
    const g = gate()
    const held = task.hold(g)
    await started(g)
    const controller = new AbortController()
    const aborted = outcome(task.with({ signal: controller.signal }).add(1, 1))
    await outcome(task.add(3, 3)) // dropped: pending is full
    controller.abort()
    await aborted
    release(g)
    await held
    await outcome(task.crash())
    const { task: slow } = define({ type: 'singleton', timeoutMs: 30 }, runtime)
    await outcome(slow.hold(gate()))
    const byKind = Object.fromEntries(spans().map((s) => [s.errorKind ?? 'ok', s]))
    expect(byKind.exception).toMatchObject({
      status: 'error',
      error: { name: 'RangeError', message: 'bad' },
    })
    expect(byKind.queue).toMatchObject({ status: 'error', error: { name: 'QueueDropError' } })
    expect(byKind.queue!.workerIndex).toBeUndefined()
    expect(byKind.abort).toMatchObject({ status: 'canceled', error: { name: 'AbortError' } })
    expect(byKind.crash).toMatchObject({ status: 'error', error: { name: 'WorkerCrashedError' } })
    // Nobody asked for a timeout: it is an error, as in its trace and its counter.
    expect(byKind.timeout).toMatchObject({ status: 'error', error: { name: 'TimeoutError' } })
    expect(byKind.ok).toMatchObject({ status: 'ok', method: 'hold' })
  })

  test('per-call counters are summed over a burst: fewer events than calls, the same total', async () => {
    const { runtime, metrics } = record({ observability: { spans: 'off' } })
    const { task } = define({ poolSize: 2, maxInFlight: 100 }, runtime)
    await task.startWorkers()
    await Promise.all(Array.from({ length: 100 }, (_, i) => task.add(i, i)))
    await new Promise((resolve) => setTimeout(resolve, 0))
    for (const name of [METRICS.successTotal, METRICS.dispatchTotal]) {
      const events = metrics().filter((m) => m.name === name)
      expect(events.reduce((total, m) => total + m.value, 0)).toBe(100)
      expect(events.length).toBeLessThan(100)
    }
    // Histograms keep one value per call.
    expect(metrics().filter((m) => m.name === METRICS.taskDuration)).toHaveLength(100)
  })

  test('calls refused before they are queued still become spans and settled metrics', async () => {
    const { runtime, spans, metrics } = record()
    const { task } = define({ keyOf: (a: unknown) => (a === 'bad' ? boom() : '') }, runtime)
    const controller = new AbortController()
    controller.abort(new Error('caller gave up'))
    await outcome(task.with({ signal: controller.signal }).add(1, 1))
    runtime.abortTaskController.abort('doc-9')
    await outcome(task.with({ key: 'doc-9' }).add(1, 2))
    await outcome(task.echo('bad'))
    await task.dispose()
    await outcome(task.add(1, 3))
    expect(spans().map((s) => [s.method, s.status, s.errorKind, s.error?.message])).toEqual([
      ['add', 'canceled', 'abort', 'caller gave up'],
      ['add', 'canceled', 'abort', expect.any(String)],
      ['echo', 'error', 'exception', 'keyOf failed'],
      ['add', 'canceled', 'disposed', expect.stringContaining('disposed')],
    ])
    // None of them reached a worker.
    expect(spans().every((s) => s.workerIndex === undefined && s.attemptCount === 0)).toBe(true)
    const outcomes = new Set<string>([
      METRICS.successTotal,
      METRICS.failureTotal,
      METRICS.canceledTotal,
      METRICS.rejectedTotal,
    ])
    // Counts are summed over a burst and emitted after it, one event per series.
    await new Promise((resolve) => setTimeout(resolve, 0))
    const counted: Record<string, number> = {}
    for (const m of metrics()) {
      if (outcomes.has(m.name)) counted[m.name] = (counted[m.name] ?? 0) + m.value
    }
    expect(counted).toEqual({ [METRICS.canceledTotal]: 3, [METRICS.failureTotal]: 1 })
    expect(metrics().some((m) => m.name === METRICS.dispatchTotal)).toBe(false)
  })

  test('a requeued call counts its attempts', async () => {
    const { runtime, spans } = record()
    const { task } = define(
      { type: 'singleton', crashPolicy: 'restart-requeue-in-flight' },
      runtime,
    )
    await task.crashInFirstWorker(3)
    expect(spans()).toEqual([expect.objectContaining({ status: 'ok', attemptCount: 2 })])
    const [span] = spans()
    expect(span!.queueWaitLastMs).toBeGreaterThan(0)
  })

  test("spans: 'off' emits no spans or traces, but metrics still flow", async () => {
    const { runtime, spans, metrics, traces } = record({ observability: { spans: 'off' } })
    const { task } = define({}, runtime)
    await runtime.runWithTrace('job', () => task.add(1, 1))
    expect(spans()).toEqual([])
    expect(traces()).toEqual([])
    expect(metrics().length).toBeGreaterThan(0)
  })

  test('sampleRate 0 emits no spans; sampleRate 1 emits every span', async () => {
    const none = record({ observability: { spans: { mode: 'on', sampleRate: 0 } } })
    const all = record({ observability: { spans: { mode: 'on', sampleRate: 1 } } })
    const a = define({}, none.runtime).task
    const b = define({}, all.runtime).task
    await Promise.all(Array.from({ length: 10 }, (_, i) => a.add(i, i)))
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.add(i, i)))
    expect(none.spans()).toHaveLength(0)
    expect(all.spans()).toHaveLength(10)
  })

  test('sampleRate is clamped to 0..1 and invalid modes are refused', () => {
    expect(() =>
      createTaskRuntime({ observability: { spans: { mode: 'on', sampleRate: 7 } } }),
    ).not.toThrow()
    expect(() => createTaskRuntime({ observability: { spans: 'sometimes' as 'on' } })).toThrow(
      'observability.spans mode must be "auto", "on" or "off", received "sometimes"',
    )
  })

  test("with measures: 'entries', spans and traces land as performance measures", async () => {
    flushMeasures()
    performance.clearMeasures()
    const { runtime, spans } = record({ observability: { spans: 'on', measures: 'entries' } })
    const { task } = define({}, runtime)
    await runtime.runWithTrace('measured', () => task.add(1, 1))
    flushMeasures()
    const measures = performance.getEntriesByName('atelier:span', 'measure') as PerformanceMeasure[]
    expect(measures).toHaveLength(1)
    expect(measures[0]!.detail).toMatchObject({ spanId: spans()[0]!.spanId, method: 'add' })
    flushMeasures()
    const traces = performance.getEntriesByName('atelier:trace', 'measure') as PerformanceMeasure[]
    expect(traces).toHaveLength(1)
    expect(traces[0]!.detail).toMatchObject({ traceName: 'measured', status: 'ok' })
  })
})

describe('traces', () => {
  test('calls made with a trace carry its id; the trace is emitted once when it ends', async () => {
    const { runtime, spans, traces } = record()
    const { task } = define({}, runtime)
    const trace = runtime.createTrace('import doc-1')
    expect(trace.sampled).toBe(true)
    const traced = task.with({ trace })
    await Promise.all([traced.add(1, 1), traced.add(2, 2)])
    await task.add(3, 3)
    trace.end()
    trace.end({ status: 'error' })
    const linked = spans().filter((s) => s.traceId === trace.id)
    expect(linked).toHaveLength(2)
    expect(linked[0]!.traceName).toBe('import doc-1')
    expect(traces()).toEqual([
      expect.objectContaining({
        kind: 'trace',
        name: 'atelier:trace',
        traceId: trace.id,
        traceName: 'import doc-1',
        status: 'ok',
        durationMs: expect.any(Number),
      }),
    ])
  })

  test('runWithTrace ends with ok, error or canceled and passes the value or error through', async () => {
    const { runtime, traces } = record()
    const { task } = define({}, runtime)
    await expect(
      runtime.runWithTrace('ok', (trace) => task.with({ trace }).add(2, 2)),
    ).resolves.toBe(4)
    const failure = await runtime
      .runWithTrace('error', (trace) => task.with({ trace }).fail('no'))
      .catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(RangeError)
    const controller = new AbortController()
    const cancelled = runtime.runWithTrace('canceled', (trace) =>
      task.with({ trace, signal: controller.signal }).hold(gate()),
    )
    controller.abort()
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' })
    expect(traces().map((t) => [t.traceName, t.status, t.errorKind])).toEqual([
      ['ok', 'ok', undefined],
      ['error', 'error', 'exception'],
      ['canceled', 'canceled', 'abort'],
    ])
  })

  test('an unsampled trace makes its calls unsampled too', async () => {
    const { runtime, spans, traces } = record({
      observability: { spans: { mode: 'on', sampleRate: 0 } },
    })
    const { task } = define({}, runtime)
    await runtime.runWithTrace('quiet', (trace) => {
      expect(trace.sampled).toBe(false)
      return task.with({ trace }).add(1, 1)
    })
    expect(spans()).toEqual([])
    expect(traces()).toEqual([])
  })
})

describe('snapshots', () => {
  test('subscribers get the current snapshot at once, then pushes on change, until they leave', async () => {
    const runtime = createTaskRuntime()
    const snapshots: RuntimeSnapshot[] = []
    const unsubscribe = runtime.subscribeRuntimeSnapshot((s) => snapshots.push(s), {
      intervalMs: 10,
    })
    expect(snapshots).toEqual([{ tasks: [] }])
    const { task } = define({ taskId: 'watched' }, runtime)
    const g = gate()
    const call = task.hold(g)
    await started(g)
    await expect.poll(() => snapshots.at(-1)?.tasks[0]?.queueDepth).toBe(1)
    release(g)
    await call
    await expect.poll(() => snapshots.at(-1)?.tasks[0]?.queueDepth).toBe(0)
    // A quiet runtime pushing nothing, and nothing after unsubscribing: unit/timers.test.ts.
    unsubscribe()
    await task.dispose()
    expect(runtime.getRuntimeSnapshot().tasks).toEqual([])
  })

  test('onlyOnChange: false delivers every interval', async () => {
    const runtime = createTaskRuntime()
    const snapshots: RuntimeSnapshot[] = []
    const unsubscribe = runtime.subscribeRuntimeSnapshot((s) => snapshots.push(s), {
      intervalMs: 10,
      onlyOnChange: false,
    })
    await expect.poll(() => snapshots.length).toBeGreaterThanOrEqual(4)
    unsubscribe()
  })
})

describe('measures option', () => {
  test('measures: false keeps spans and traces in the event stream but out of the timeline', async () => {
    flushMeasures()
    performance.clearMeasures()
    const { runtime, spans, traces } = record({ observability: { spans: 'on', measures: false } })
    const { task } = define({}, runtime)
    await runtime.runWithTrace('quiet timeline', () => task.add(1, 1))
    expect(spans()).toHaveLength(1)
    expect(traces()).toHaveLength(1)
    flushMeasures()
    expect(performance.getEntriesByName('atelier:span', 'measure')).toHaveLength(0)
    flushMeasures()
    expect(performance.getEntriesByName('atelier:trace', 'measure')).toHaveLength(0)
  })

  test('an unknown measures option is refused, naming the value', () => {
    expect(() =>
      createTaskRuntime({ observability: { measures: 'yes' as unknown as boolean } }),
    ).toThrow('observability.measures must be true, false, "tracks" or "entries", received "yes"')
  })
})
