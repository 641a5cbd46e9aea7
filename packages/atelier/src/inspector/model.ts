/**
 * What the inspector knows about a runtime, folded from its two streams: pushed snapshots
 * (limits, statuses, per-worker load) and events (counters, gauges, histograms, spans). The
 * model only records; rendering reads it once per frame.
 */

import type { RuntimeEvent, SpanEvent } from '../events.js'
import { METRICS, type MetricEvent } from '../metrics.js'
import type { CallOutcome } from '../outcomes.js'
import type { RuntimeSnapshot, RuntimeTaskSnapshot } from '../task-state.js'
import { outcomeOfSpan } from './outcomes.js'

export interface Histogram {
  count: number
  sum: number
  max: number
}

/** Calls open on one worker, from dispatch and settle metrics, and since when it has been busy. */
export interface OpenCalls {
  count: number
  since: number
}

export interface TaskModel {
  taskId: string
  /** Undefined until the first snapshot that lists the task. */
  snapshot: RuntimeTaskSnapshot | undefined
  counters: Map<string, number>
  /** Settled calls by outcome, counted from spans (a metric can stand for several outcomes). */
  outcomes: Map<CallOutcome, number>
  histograms: Map<string, Histogram>
  /**
   * Queue levels, from the same snapshot as the worker counts beside them. Gauges would be a
   * moment fresher, but then "in flight" and "busy" could come from two different instants and
   * contradict each other (no call in flight on a busy worker).
   */
  levels: { inFlight: number; pending: number; waiting: number }
  /** The most callers ever seen waiting: the scale of the (unbounded) waiting meter. */
  waitingPeak: number
  /** Settled spans that ran on a worker, oldest first. Trimmed by the renderer's window. */
  spans: SpanEvent[]
  open: OpenCalls[]
}

/** Metric events that end a call: its worker (when it had one) has one call fewer. */
const SETTLES = new Set<string>([
  METRICS.successTotal,
  METRICS.failureTotal,
  METRICS.canceledTotal,
  METRICS.rejectedTotal,
  METRICS.requeueTotal,
  METRICS.timeoutTotal,
])

export class LiveModel {
  readonly tasks = new Map<string, TaskModel>()
  /** The most recent spans of every task, newest last. */
  readonly recent: SpanEvent[] = []
  /** Bumped on every change, so the renderer can skip frames where nothing happened. */
  version = 0
  /** Tasks that left the runtime: late events for them must not bring them back. */
  readonly #retired = new Set<string>()

  constructor(readonly recentLimit: number) {}

  applySnapshot(snapshot: RuntimeSnapshot): void {
    const live = new Set<string>()
    for (const state of snapshot.tasks) {
      live.add(state.taskId)
      const task = this.#task(state.taskId)
      if (!task) continue
      task.snapshot = state
      task.levels = {
        inFlight: state.queueDepth,
        pending: state.pendingQueueDepth,
        waiting: state.waitingQueueDepth,
      }
      task.waitingPeak = Math.max(task.waitingPeak, state.waitingQueueDepth)
      // The snapshot is the truth about per-worker load; metrics only fill in between snapshots.
      state.queueDepthByWorker.forEach((load, index) => {
        if (load === 0) task.open[index] = { count: 0, since: 0 }
      })
    }
    for (const [taskId, task] of this.tasks) {
      if (task.snapshot && !live.has(taskId)) {
        this.tasks.delete(taskId)
        this.#retired.add(taskId)
      }
    }
    this.version++
  }

  applyEvent(event: RuntimeEvent): void {
    if (event.kind === 'trace') return
    if (event.kind === 'span') {
      this.#applySpan(event)
    } else {
      this.#applyMetric(event)
    }
    this.version++
  }

  #applySpan(span: SpanEvent): void {
    this.recent.push(span)
    if (this.recent.length > this.recentLimit) this.recent.shift()
    const task = this.#task(span.taskId)
    if (!task) return
    const outcome = outcomeOfSpan(span)
    task.outcomes.set(outcome, (task.outcomes.get(outcome) ?? 0) + 1)
    if (span.workerIndex !== undefined) task.spans.push(span)
  }

  #applyMetric(metric: MetricEvent): void {
    const task = this.#task(metric.attrs['task.id'])
    if (!task) return
    const { name, value } = metric
    if (metric.kind === 'counter') {
      task.counters.set(name, (task.counters.get(name) ?? 0) + value)
    } else if (metric.kind === 'histogram') {
      const h = task.histograms.get(name) ?? { count: 0, sum: 0, max: 0 }
      h.count++
      h.sum += value
      h.max = Math.max(h.max, value)
      task.histograms.set(name, h)
    }

    const worker = metric.attrs['worker.index']
    if (worker === undefined || metric.kind !== 'counter') return
    const open = task.open[worker] ?? { count: 0, since: 0 }
    // Counts come summed per burst: `value` calls at once.
    if (name === METRICS.dispatchTotal) {
      if (open.count === 0) open.since = metric.ts
      open.count += value
    } else if (SETTLES.has(name)) {
      // A requeued call that is later cancelled reports its old worker twice: never go below 0.
      open.count = Math.max(0, open.count - value)
    }
    task.open[worker] = open
  }

  #task(taskId: string): TaskModel | undefined {
    if (this.#retired.has(taskId)) return undefined
    let task = this.tasks.get(taskId)
    if (!task) {
      task = {
        taskId,
        snapshot: undefined,
        counters: new Map(),
        outcomes: new Map(),
        histograms: new Map(),
        levels: { inFlight: 0, pending: 0, waiting: 0 },
        waitingPeak: 0,
        spans: [],
        open: [],
      }
      this.tasks.set(taskId, task)
    }
    return task
  }

  /** Drops spans that ended before `from`: they have scrolled out of every lane. */
  trim(from: number): void {
    for (const task of this.tasks.values()) {
      let drop = 0
      while (drop < task.spans.length && spanEnd(task.spans[drop]!) < from) drop++
      if (drop > 0) task.spans.splice(0, drop)
    }
  }

  /** Forgets counters, spans and peaks; keeps the tasks and their latest snapshots. */
  reset(): void {
    this.recent.length = 0
    for (const task of this.tasks.values()) {
      task.counters.clear()
      task.outcomes.clear()
      task.histograms.clear()
      task.spans = []
      task.waitingPeak = task.levels.waiting
    }
    this.version++
  }
}

export function spanEnd(span: SpanEvent): number {
  return span.ts + span.durationMs
}
