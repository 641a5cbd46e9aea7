/**
 * Metrics: listeners on the executor's lifecycle facts that publish counter, gauge and histogram
 * events. Attached only while someone subscribes to events. Histograms are emitted as their
 * facts happen; per-call counters and gauges at the end of the turn.
 */

import { epoch } from '../events.js'
import type { ExecutorEvents, FactSource, TaskFacts } from '../facts.js'
import { METRICS, type MetricAttributes, type MetricEvent, type MetricName } from '../metrics.js'
import { OUTCOMES } from '../outcomes.js'
import { atTurnEnd } from '../turn-end.js'

/** Which attributes a metric carries: the task's, or the task's and its queue settings'. */
const TASK = 0
const QUEUE = 1
type Scope = typeof TASK | typeof QUEUE

type Attributes = Readonly<MetricAttributes>

const EMPTY: Attributes = Object.freeze({}) as Attributes

const QUEUE_GAUGES = [METRICS.inFlight, METRICS.pending, METRICS.waiting] as const

/** Subscribes metric listeners to `bus`; returns the function that removes them. */
export function attachMetrics(
  bus: FactSource<ExecutorEvents>,
  publish: (event: MetricEvent) => void,
): () => void {
  // Attribute objects are shared and frozen: one per task, scope, method and worker (by index
  // + 1, so "no worker" is 0), not one per event, and looked up without building a key.
  const attributeCache = new WeakMap<TaskFacts, Array<Map<string, Attributes[]>>>()
  // The last lookup of each scope, kept: a message's calls share task, method and worker, so
  // most lookups of a busy task are this comparison.
  const recent = [
    { task: undefined as TaskFacts | undefined, method: '', workerIndex: -1, hit: EMPTY },
    { task: undefined as TaskFacts | undefined, method: '', workerIndex: -1, hit: EMPTY },
  ]
  const attrs = (task: TaskFacts, scope: Scope, method = '', workerIndex = -1): Attributes => {
    const memo = recent[scope]!
    if (memo.task === task && memo.method === method && memo.workerIndex === workerIndex) {
      return memo.hit
    }
    memo.task = task
    memo.method = method
    memo.workerIndex = workerIndex
    memo.hit = lookup(task, scope, method, workerIndex)
    return memo.hit
  }
  const lookup = (task: TaskFacts, scope: Scope, method: string, workerIndex: number) => {
    let scopes = attributeCache.get(task)
    if (!scopes) {
      scopes = [new Map(), new Map()]
      attributeCache.set(task, scopes)
    }
    const byMethod = scopes[scope]!
    let byWorker = byMethod.get(method)
    if (!byWorker) {
      byWorker = []
      byMethod.set(method, byWorker)
    }
    let cached = byWorker[workerIndex + 1]
    if (!cached) {
      cached = buildAttributes(task, scope, method, workerIndex)
      byWorker[workerIndex + 1] = cached
    }
    return cached
  }
  const emit = (
    kind: MetricEvent['kind'],
    name: MetricName,
    value: number,
    attributes: Attributes,
    ts = Date.now(),
  ) => publish({ kind, name, value, ts, attrs: attributes })
  const count = (name: MetricName, attributes: Attributes, ts?: number) =>
    emit('counter', name, 1, attributes, ts)

  // Per-call counts are summed over the current turn and emitted at its end, one event per series
  // with the turn's count: one event per call per counter would cost a busy task more than its
  // calls do. Keyed by the shared attrs object, so a count is a lookup.
  const tallies = new Map<MetricName, Map<Attributes, number>>()
  const tally = (name: MetricName, attributes: Attributes) => {
    let series = tallies.get(name)
    if (series === undefined) {
      series = new Map()
      tallies.set(name, series)
    }
    series.set(attributes, (series.get(attributes) ?? 0) + 1)
    schedule()
  }

  // Gauges are levels: sampled once the current turn's changes are over, and emitted only when
  // they moved, rather than on each of the facts that move them.
  const lastLevels = new WeakMap<TaskFacts, number[]>()
  const dirty = new Set<TaskFacts>()
  // At the end of the turn (a microtask): a burst is what one turn did, which with coalescing is
  // a whole message of answers. A timer per turn would cost a busy round trip more than this.
  let flushQueued = false
  let detached = false
  const schedule = () => {
    if (flushQueued) return
    flushQueued = true
    atTurnEnd(flush)
  }
  const flush = () => {
    flushQueued = false
    if (detached) return
    if (tallies.size > 0) {
      const ts = Date.now()
      const due = [...tallies]
      tallies.clear()
      for (const [name, series] of due) {
        for (const [attributes, value] of series) emit('counter', name, value, attributes, ts)
      }
    }
    for (const task of dirty) {
      const { inFlight, pending, waiting, liveWorkers } = task.depths
      const now = [inFlight, pending, waiting, liveWorkers]
      const last = lastLevels.get(task)
      lastLevels.set(task, now)
      for (let i = 0; i < QUEUE_GAUGES.length; i++) {
        if (last?.[i] !== now[i]) emit('gauge', QUEUE_GAUGES[i]!, now[i]!, attrs(task, QUEUE))
      }
      if (last?.[3] !== liveWorkers) {
        emit('gauge', METRICS.workersActive, liveWorkers, attrs(task, TASK))
      }
    }
    dirty.clear()
  }

  const off = [
    // The executor reports `changed` after everything that can move a level, late answers of
    // cancelled calls included, so the gauges listen to that fact alone.
    bus.on('changed', (task) => {
      dirty.add(task)
      schedule()
    }),
    bus.on('dispatched', (task, call) => {
      // Posted within microseconds of its dispatch: its dispatch time spares a clock read.
      const ts = epoch(call.dispatchedAt)
      tally(METRICS.dispatchTotal, attrs(task, TASK, call.method, call.workerIndex))
      const wait = call.dispatchedAt - call.enqueuedAt
      emit(
        'histogram',
        METRICS.queueWait,
        wait,
        attrs(task, QUEUE, call.method, call.workerIndex),
        ts,
      )
    }),
    bus.on('requeued', (task, call) => {
      // Rare (a crash, a stop), and heard with the crash that caused it: not summed.
      count(METRICS.requeueTotal, attrs(task, TASK, call.method, call.workerIndex))
    }),
    bus.on('settled', (task, call, kind) => {
      // A queue's refusals carry its settings, as its gauges do.
      const a = attrs(task, kind === 'queue' ? QUEUE : TASK, call.method, call.workerIndex)
      tally(OUTCOMES[kind].metric, a)
      if (kind === 'ok' || kind === 'exception') {
        const now = call.settledAt
        emit('histogram', METRICS.taskDuration, now - call.dispatchedAt, a, epoch(now))
      }
    }),
    // The memo must not keep a disposed task (and its config) alive.
    bus.on('disposed', (task) => {
      for (const memo of recent) if (memo.task === task) memo.task = undefined
    }),
    bus.on('spawned', (task, slot) =>
      count(METRICS.workerSpawnTotal, attrs(task, TASK, undefined, slot.index)),
    ),
    bus.on('crashed', (task, slot) =>
      count(METRICS.workerCrashTotal, attrs(task, TASK, undefined, slot.index)),
    ),
    bus.on('terminated', (task, slot) =>
      count(METRICS.workerTerminateTotal, attrs(task, TASK, undefined, slot.index)),
    ),
  ]
  return () => {
    for (const unsubscribe of off) unsubscribe()
    detached = true
    tallies.clear()
    dirty.clear()
  }
}

function buildAttributes(
  task: TaskFacts,
  scope: Scope,
  method: string,
  workerIndex: number,
): Attributes {
  const { taskId, taskName, type, queuePolicy, maxInFlight, maxQueueDepth } = task.config
  const a: MetricAttributes = { 'task.id': taskId, 'task.type': type, 'task.name': taskName }
  if (method !== '') a['task.method'] = method
  if (scope === QUEUE) {
    a['queue.policy'] = queuePolicy
    a['queue.max_in_flight'] = maxInFlight
    a['queue.max_depth'] = maxQueueDepth
  }
  if (workerIndex >= 0) a['worker.index'] = workerIndex
  return Object.freeze(a)
}
