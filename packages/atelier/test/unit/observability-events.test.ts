import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventBus } from '../../src/engine/event-bus.js'
import { TaskDisposedError, TimeoutError } from '../../src/errors.js'
import type { RuntimeEvent, SpanEvent, TraceEvent } from '../../src/events.js'
import type { CallFacts, ExecutorEvents, TaskFacts } from '../../src/facts.js'
import { METRICS, type MetricEvent } from '../../src/metrics.js'
import { createObservability } from '../../src/observability/observability.js'
import type { ObservabilityConfig } from '../../src/options.js'
import { type CallOutcome, OUTCOMES } from '../../src/outcomes.js'

// The observability layer only reads the executor's records; these fakes hold what it reads.
function fakeTask(overrides: Partial<TaskFacts['config']> = {}) {
  const depths = { inFlight: 0, pending: 0, waiting: 0, liveWorkers: 0, busyWorkers: 0 }
  const config = {
    taskId: 'resize',
    taskName: 'Resize',
    type: 'parallel',
    queuePolicy: 'reject',
    maxInFlight: 4,
    maxQueueDepth: 8,
    ...overrides,
  }
  return { task: { config, depths } as unknown as TaskFacts, depths }
}

let nextCallId = 1
function fakeCall(method = 'resize', workerIndex = 0): CallFacts {
  const t = performance.now()
  return {
    id: nextCallId++,
    method,
    attempts: workerIndex >= 0 ? 1 : 0,
    workerIndex,
    createdAt: t,
    enqueuedAt: t,
    firstDispatchedAt: t,
    dispatchedAt: t,
    settledAt: t,
    trace: undefined,
  } as unknown as CallFacts
}

function setup(config: ObservabilityConfig = { spans: 'on', measures: false }) {
  const bus = new EventBus<ExecutorEvents>()
  const observability = createObservability(bus, config)
  const events: RuntimeEvent[] = []
  const unsubscribe = observability.subscribeEvents((e) => events.push(e))
  const spans = () => events.filter((e): e is SpanEvent => e.kind === 'span')
  const traces = () => events.filter((e): e is TraceEvent => e.kind === 'trace')
  const metrics = () =>
    events.filter((e): e is MetricEvent => e.kind !== 'span' && e.kind !== 'trace')
  return { bus, observability, events, spans, traces, metrics, unsubscribe }
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

const report = vi.fn()
beforeEach(() => {
  report.mockReset()
  vi.stubGlobal('reportError', report)
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('one vocabulary of outcomes', () => {
  const errors: Record<Exclude<CallOutcome, 'ok'>, unknown> = {
    exception: new RangeError('bad'),
    abort: new DOMException('stop', 'AbortError'),
    timeout: new TimeoutError(10),
    queue: Object.assign(new Error('full'), { name: 'QueueDropError' }),
    crash: Object.assign(new Error('died'), { name: 'WorkerCrashedError' }),
    disposed: new TaskDisposedError('resize'),
  }

  it('a call, its counter and a trace ended by its error agree on status and kind', async () => {
    const { bus, observability, spans, traces, metrics } = setup()
    const { task } = fakeTask()
    for (const [outcome, error] of Object.entries(errors) as Array<[CallOutcome, unknown]>) {
      bus.emit('settled', task, fakeCall(), outcome, error)
      observability.createTrace(outcome).end({ error })
    }
    bus.emit('settled', task, fakeCall(), 'ok', undefined)
    observability.createTrace('ok').end()
    // Per-call counts are summed over the burst and emitted after it.
    await new Promise((resolve) => setTimeout(resolve, 0))
    const outcomes = [...Object.keys(errors), 'ok'] as CallOutcome[]
    expect(spans().map((s) => [s.status, s.errorKind])).toEqual(
      outcomes.map((o) => [OUTCOMES[o].status, OUTCOMES[o].errorKind]),
    )
    expect(traces().map((t) => [t.traceName, t.status, t.errorKind])).toEqual(
      outcomes.map((o) => [o, OUTCOMES[o].status, OUTCOMES[o].errorKind]),
    )
    const counters = new Set<string>(Object.values(OUTCOMES).map((o) => o.metric))
    const counted: Record<string, number> = {}
    for (const m of metrics())
      if (counters.has(m.name)) counted[m.name] = (counted[m.name] ?? 0) + m.value
    const expected: Record<string, number> = {}
    for (const o of outcomes) expected[OUTCOMES[o].metric] = (expected[OUTCOMES[o].metric] ?? 0) + 1
    expect(counted).toEqual(expected)
  })

  it('a timeout is an error, not a cancel, in its span, its trace and its counter', async () => {
    const { bus, observability, spans, traces, metrics } = setup()
    const { task } = fakeTask()
    bus.emit('settled', task, fakeCall(), 'timeout', errors.timeout)
    await observability
      .runWithTrace('slow', () => Promise.reject(errors.timeout))
      .catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(spans()[0]).toMatchObject({ status: 'error', errorKind: 'timeout' })
    expect(traces()[0]).toMatchObject({ status: 'error', errorKind: 'timeout' })
    expect(metrics().map((m) => m.name)).toContain(METRICS.timeoutTotal)
    expect(metrics().map((m) => m.name)).not.toContain(METRICS.canceledTotal)
  })

  it('runWithTrace ends with the outcome of what fn threw', async () => {
    const { observability, traces } = setup()
    for (const error of [errors.abort, errors.disposed, errors.exception, undefined]) {
      await observability.runWithTrace('t', () => Promise.reject(error)).catch(() => undefined)
    }
    expect(traces().map((t) => [t.status, t.errorKind])).toEqual([
      ['canceled', 'abort'],
      ['canceled', 'disposed'],
      ['error', 'exception'],
      ['error', undefined],
    ])
  })

  it('an explicit status on trace.end wins over the one its error implies', () => {
    const { observability, traces } = setup()
    observability.createTrace('x').end({ status: 'canceled', error: errors.timeout })
    expect(traces()[0]).toMatchObject({ status: 'canceled', errorKind: 'timeout' })
  })
})

describe('config', () => {
  const make = (config: unknown) => () =>
    createObservability(new EventBus<ExecutorEvents>(), config as ObservabilityConfig)
  const throwingSpans = {
    get spans(): never {
      throw new Error('no spans')
    },
  }

  it.each([
    ['a number', 5, 'createTaskRuntime: observability must be an object, received 5'],
    ['null', null, 'createTaskRuntime: observability must be an object, received null'],
    [
      'a misspelt option',
      { span: 'on' },
      'createTaskRuntime: observability has no option "span"; did you mean "spans"? (options: spans, measures)',
    ],
    [
      'a misspelt spans option',
      { spans: { mode: 'on', rate: 0.5 } },
      'observability.spans has no option "rate" (options: mode, sampleRate)',
    ],
    [
      'a getter that throws',
      throwingSpans,
      'createTaskRuntime: observability: reading spans threw: Error: no spans',
    ],
    [
      'a mode that is not one',
      { spans: { mode: 1 } },
      'observability.spans mode must be "auto", "on" or "off", received 1',
    ],
  ])('%s is a TypeError naming it', (_label, config, message) => {
    expect(make(config)).toThrow(new TypeError(message))
  })

  it('undefined, an empty object and each documented form are accepted', () => {
    for (const config of [
      undefined,
      {},
      { spans: 'on' },
      { spans: { sampleRate: 0.5 } },
      { measures: false },
    ]) {
      expect(make(config)).not.toThrow()
    }
  })
})

describe('traces: bad arguments', () => {
  it.each([
    [
      'createTrace(5)',
      (o: ReturnType<typeof setup>['observability']) => o.createTrace(5 as never),
      'createTrace: name must be a string, received 5',
    ],
    [
      'createTrace({})',
      (o: ReturnType<typeof setup>['observability']) => o.createTrace({} as never),
      'createTrace: name must be a string, received an object',
    ],
  ])('%s throws a TypeError naming the value', (_label, call, message) => {
    const { observability, traces } = setup()
    expect(() => call(observability)).toThrow(new TypeError(message))
    expect(traces()).toEqual([])
  })

  it('runWithTrace refuses a name or fn of the wrong type before it makes a trace or runs anything', async () => {
    const { observability, traces } = setup()
    const fn = vi.fn()
    await expect(observability.runWithTrace(7 as never, fn)).rejects.toThrow(
      new TypeError('runWithTrace: name must be a string, received 7'),
    )
    await expect(observability.runWithTrace('t', 'go' as never)).rejects.toThrow(
      new TypeError('runWithTrace: fn must be a function, received "go"'),
    )
    expect(fn).not.toHaveBeenCalled()
    expect(traces()).toEqual([])
  })

  it.each([
    ['a number', 5, 'trace.end takes an optional { status, error }, received 5'],
    ['null', null, 'trace.end takes an optional { status, error }, received null'],
    [
      'an unknown status',
      { status: 'done' },
      'trace.end: status must be one of ok, error, canceled, received "done"',
    ],
    [
      'a getter that throws',
      {
        get error(): never {
          throw new TypeError('no error here')
        },
      },
      'trace.end: reading error threw: TypeError: no error here',
    ],
    [
      'an unknown key',
      { stauts: 'ok' },
      'trace.end has no option "stauts"; did you mean "status"? (options: status, error)',
    ],
  ])(
    'trace.end with %s throws, and the trace can still be ended well',
    (_label, given, message) => {
      const { observability, traces } = setup()
      const trace = observability.createTrace('x')
      expect(() => trace.end(given as never)).toThrow(new TypeError(message))
      expect(traces()).toEqual([])
      trace.end({ status: 'canceled' })
      trace.end({ status: 'error' })
      expect(traces().map((t) => t.status)).toEqual(['canceled'])
    },
  )
})

describe('spans', () => {
  it('carry the call id as a string', () => {
    const { bus, spans } = setup()
    const call = fakeCall()
    bus.emit('settled', fakeTask().task, call, 'ok', undefined)
    expect(spans()[0]!.callId).toBe(String(call.id))
  })
})

describe('hostile abort reasons and thrown values', () => {
  const hostile = () => ({
    'a null-prototype object': Object.create(null) as unknown,
    'a revoked Proxy': revokedProxy() as unknown,
    'an object whose toString throws': {
      toString(): string {
        throw new Error('no')
      },
    } as unknown,
  })

  for (const [label, value] of Object.entries(hostile())) {
    it(`${label} as an abort reason still makes a span`, () => {
      const { bus, spans } = setup()
      bus.emit('settled', fakeTask().task, fakeCall(), 'abort', value)
      expect(spans()).toEqual([
        expect.objectContaining({
          status: 'canceled',
          errorKind: 'abort',
          error: { name: 'Error', message: expect.any(String) },
        }),
      ])
      expect(report).not.toHaveBeenCalled()
    })

    it(`${label} passed to trace.end ends the trace`, () => {
      const { observability, traces } = setup()
      observability.createTrace('t').end({ error: value })
      expect(traces()).toEqual([
        expect.objectContaining({ status: 'error', errorKind: 'exception' }),
      ])
    })

    it(`${label} thrown inside runWithTrace is rethrown as it is`, async () => {
      const { observability, traces } = setup()
      // Caught into a variable: resolving a promise with a revoked Proxy would throw by itself.
      let thrown: unknown = 'nothing'
      await observability
        .runWithTrace('t', () => {
          throw value
        })
        .catch((error: unknown) => {
          thrown = error
        })
      expect(thrown).toBe(value)
      expect(traces()).toEqual([
        expect.objectContaining({ status: 'error', errorKind: 'exception' }),
      ])
    })
  }
})

describe('subscriptions', () => {
  it('the same listener subscribed twice hears each event twice; one unsubscribe leaves one', () => {
    const { observability } = setup()
    const heard: string[] = []
    const listener = (e: RuntimeEvent) => heard.push(e.name)
    const first = observability.subscribeEvents(listener)
    observability.subscribeEvents(listener)
    observability.createTrace().end()
    expect(heard).toHaveLength(2)
    first()
    first() // a second call of the same unsubscribe removes nothing more
    observability.createTrace().end()
    expect(heard).toHaveLength(3)
  })

  it('a listener that throws is reported and the others still hear the event', () => {
    const { observability, events } = setup()
    const bug = new Error('listener bug')
    observability.subscribeEvents(() => {
      throw bug
    })
    const later: RuntimeEvent[] = []
    observability.subscribeEvents((e) => later.push(e))
    observability.createTrace().end()
    expect(events).toHaveLength(1)
    expect(later).toHaveLength(1)
    expect(report).toHaveBeenCalledWith(bug)
  })

  it('a listener subscribed while an event is published hears the next one, not that one', () => {
    const { observability, events } = setup()
    const late: RuntimeEvent[] = []
    let subscribed = false
    observability.subscribeEvents(() => {
      if (subscribed) return
      subscribed = true
      observability.subscribeEvents((e) => late.push(e))
    })
    const after: RuntimeEvent[] = []
    observability.subscribeEvents((e) => after.push(e))
    observability.createTrace('first').end()
    expect(late).toEqual([])
    expect(after).toHaveLength(1)
    observability.createTrace('second').end()
    expect(late.map((e) => (e as TraceEvent).traceName)).toEqual(['second'])
    expect(events).toHaveLength(2)
  })

  it('a listener unsubscribed by another during an event hears nothing more, the rest do', () => {
    const { observability, events } = setup()
    const victim: RuntimeEvent[] = []
    let unsubscribeVictim = () => {}
    observability.subscribeEvents(() => unsubscribeVictim())
    unsubscribeVictim = observability.subscribeEvents((e) => victim.push(e))
    const after: RuntimeEvent[] = []
    observability.subscribeEvents((e) => after.push(e))
    observability.createTrace().end()
    observability.createTrace().end()
    expect(victim).toEqual([])
    expect(after).toHaveLength(2)
    expect(events).toHaveLength(2)
  })

  it('a listener that unsubscribes itself mid-event leaves the others in place', () => {
    const { observability, events } = setup()
    const once: RuntimeEvent[] = []
    const off = observability.subscribeEvents((e) => {
      once.push(e)
      off()
    })
    observability.createTrace().end()
    observability.createTrace().end()
    expect(once).toHaveLength(1)
    expect(events).toHaveLength(2)
  })

  it('a listener must be a function', () => {
    const { observability } = setup()
    expect(() => observability.subscribeEvents(null as never)).toThrow(
      new TypeError('subscribeEvents needs a listener function, received null'),
    )
  })

  it('with spans off and nobody subscribed, nothing listens on the bus', () => {
    const bus = new EventBus<ExecutorEvents>()
    const observability = createObservability(bus, { spans: 'off' })
    const facts = ['settled', 'dispatched', 'queued', 'changed', 'spawned'] as const
    expect(facts.filter((f) => bus.has(f))).toEqual([])
    const off = observability.subscribeEvents(() => {})
    expect(bus.has('dispatched')).toBe(true)
    off()
    expect(facts.filter((f) => bus.has(f))).toEqual([])
  })
})

describe('metrics', () => {
  it('their names are frozen, as OUTCOMES is: an app cannot rename what events carry', () => {
    expect(Object.isFrozen(METRICS)).toBe(true)
    expect(() => {
      ;(METRICS as Record<string, string>).dispatchTotal = 'renamed'
    }).toThrow(TypeError)
    expect(METRICS.dispatchTotal).toBe('task.dispatch.total')
  })

  it('attributes use dotted keys; queue metrics add the queue settings', async () => {
    const { bus, metrics } = setup()
    const { task } = fakeTask({ type: 'singleton' })
    const call = fakeCall('encode', 0)
    bus.emit('dispatched', task, call, { index: 0 } as never)
    bus.emit('settled', task, call, 'ok', undefined)
    bus.emit('settled', task, fakeCall('encode', -1), 'queue', new Error('full'))
    bus.emit('spawned', task, { index: 1 } as never)
    await new Promise((resolve) => setTimeout(resolve, 0))
    const byName = Object.fromEntries(metrics().map((m) => [m.name, m.attrs]))
    const base = { 'task.id': 'resize', 'task.type': 'singleton', 'task.name': 'Resize' }
    const queue = { 'queue.policy': 'reject', 'queue.max_in_flight': 4, 'queue.max_depth': 8 }
    expect(byName[METRICS.dispatchTotal]).toEqual({
      ...base,
      'task.method': 'encode',
      'worker.index': 0,
    })
    expect(byName[METRICS.queueWait]).toEqual({
      ...base,
      ...queue,
      'task.method': 'encode',
      'worker.index': 0,
    })
    expect(byName[METRICS.successTotal]).toEqual({
      ...base,
      'task.method': 'encode',
      'worker.index': 0,
    })
    expect(byName[METRICS.rejectedTotal]).toEqual({ ...base, ...queue, 'task.method': 'encode' })
    expect(byName[METRICS.workerSpawnTotal]).toEqual({ ...base, 'worker.index': 1 })
  })

  it('attribute objects are frozen and shared between events', () => {
    const { bus, metrics } = setup()
    const { task } = fakeTask()
    bus.emit('settled', task, fakeCall('a', 1), 'ok', undefined)
    bus.emit('settled', task, fakeCall('a', 1), 'ok', undefined)
    bus.emit('settled', task, fakeCall('b', 1), 'ok', undefined)
    const counters = metrics().filter((m) => m.name === METRICS.taskDuration)
    expect(counters).toHaveLength(3)
    expect(counters[0]!.attrs).toBe(counters[1]!.attrs)
    expect(counters[2]!.attrs).not.toBe(counters[0]!.attrs)
    expect(Object.isFrozen(counters[0]!.attrs)).toBe(true)
  })

  it('attributes stay right in any interleaving of tasks, methods, workers and scopes (seeded)', () => {
    // The listener remembers its last lookup per scope; a stale hit would name the wrong task,
    // method or worker. 2,000 facts in a random order, each event checked against its fact.
    const { bus, metrics } = setup()
    const tasks = [
      fakeTask({ taskId: 't1', taskName: 'One' }).task,
      fakeTask({ taskId: 't2', taskName: 'Two', queuePolicy: 'block' }).task,
    ]
    let seed = 20261202
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0
      return seed % n
    }
    const expected: Array<{ name: string; task: TaskFacts; method: string; worker: number }> = []
    for (let i = 0; i < 2000; i++) {
      const task = tasks[random(2)]!
      const method = ['a', 'b', 'c'][random(3)]!
      const worker = random(3) - 1
      const fact = random(3)
      if (fact === 0 && worker >= 0) {
        bus.emit('dispatched', task, fakeCall(method, worker), { index: worker } as never)
        expected.push({ name: METRICS.queueWait, task, method, worker })
      } else if (fact === 1) {
        bus.emit('settled', task, fakeCall(method, worker), 'ok', undefined)
        expected.push({ name: METRICS.taskDuration, task, method, worker })
      } else {
        bus.emit('spawned', task, { index: worker + 1 } as never)
        expected.push({ name: METRICS.workerSpawnTotal, task, method: '', worker: worker + 1 })
      }
    }
    const heard = metrics().filter((m) => m.kind !== 'gauge')
    expect(heard).toHaveLength(expected.length)
    heard.forEach((event, i) => {
      const want = expected[i]!
      expect(event.name).toBe(want.name)
      expect(event.attrs['task.id']).toBe(want.task.config.taskId)
      expect(event.attrs['task.method']).toBe(want.method === '' ? undefined : want.method)
      expect(event.attrs['worker.index']).toBe(want.worker >= 0 ? want.worker : undefined)
      expect(event.attrs['queue.policy']).toBe(
        want.name === METRICS.queueWait ? want.task.config.queuePolicy : undefined,
      )
    })
  })

  it('gauges sample the levels after `changed`, once per turn, only when they moved', async () => {
    const { bus, metrics } = setup()
    const { task, depths } = fakeTask()
    const gauges = () => metrics().filter((m) => m.kind === 'gauge')
    Object.assign(depths, { inFlight: 2, pending: 1, liveWorkers: 2, busyWorkers: 2 })
    bus.emit('changed', task)
    bus.emit('changed', task)
    expect(gauges()).toEqual([])
    await Promise.resolve()
    expect(gauges().map((g) => [g.name, g.value])).toEqual([
      [METRICS.inFlight, 2],
      [METRICS.pending, 1],
      [METRICS.waiting, 0],
      [METRICS.workersActive, 2],
    ])
    expect(gauges()[0]!.attrs).toMatchObject({ 'queue.policy': 'reject' })
    expect(gauges()[3]!.attrs).not.toHaveProperty('queue.policy')
    // A cancelled call's late answer frees its slot: only `changed` says so.
    Object.assign(depths, { inFlight: 0, busyWorkers: 0 })
    bus.emit('changed', task)
    await Promise.resolve()
    expect(
      gauges()
        .slice(4)
        .map((g) => [g.name, g.value]),
    ).toEqual([[METRICS.inFlight, 0]])
  })

  it('gauges do not fire for lifecycle facts without `changed`', async () => {
    const { bus, metrics } = setup()
    const { task, depths } = fakeTask()
    depths.inFlight = 1
    bus.emit('dispatched', task, fakeCall(), { index: 0 } as never)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(metrics().filter((m) => m.kind === 'gauge')).toEqual([])
    // The dispatch's own count did come, at the turn's end.
    expect(metrics().map((m) => m.name)).toContain(METRICS.dispatchTotal)
  })

  it('stop flowing, pending gauges and counts included, once the last listener leaves', async () => {
    const { bus, metrics, unsubscribe } = setup()
    const { task, depths } = fakeTask()
    depths.inFlight = 1
    bus.emit('changed', task)
    bus.emit('dispatched', task, fakeCall(), { index: 0 } as never)
    unsubscribe()
    await new Promise((resolve) => setTimeout(resolve, 0))
    bus.emit('settled', task, fakeCall(), 'ok', undefined)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(metrics().filter((m) => m.kind !== 'histogram')).toEqual([])
  })
})
