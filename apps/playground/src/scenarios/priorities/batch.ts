/**
 * One run of the background batch: every job is called at once, on a task whose calls are
 * `background` unless they say otherwise, so the batch is the backlog a click has to get past.
 * The last job goes with a `TaskController`'s signal, so it can be promoted while it waits.
 */

import { outcomeOfError, type SpanEvent, type Task, type TaskRuntime } from 'atelier'
import { epochNow } from '../../ui/format'
import { FrontAging } from './front-aging'
import type { JobsAPI } from './jobs.worker'
import { TaskController, type TaskControllerLike } from './task-controller'

/** The workers the scenario's task runs. */
export const POOL_SIZE = 2

/** Job i's length: 20 to 50 ms, spread evenly and the same every run, so that runs compare. */
export function jobMs(i: number): number {
  return 20 + ((i * 37) % 31)
}

/** The mean of {@link jobMs}: the run time assumed until the first jobs have run. */
export const MEAN_JOB_MS = 35

export interface Promotion {
  /** When `setPriority` was called, `Date.now()` scale. */
  at: number
  /** The other calls queued at that moment. */
  queued: number
}

export class Batch {
  readonly startedAt = epochNow()
  /** When its last job settled. */
  endedAt: number | undefined
  done = 0
  /** Jobs that ended otherwise: stopped, or their task was disposed. */
  lost = 0
  /** The longest queue wait of a job so far: how long the backlog kept a job waiting. */
  longestWaitMs = 0
  /** The last job, which a `TaskController` can promote; undefined where there is none. */
  readonly promotable: TaskControllerLike | undefined
  promotion: Promotion | undefined
  /** The last job's span, once it settled. */
  lastSpan: SpanEvent | undefined
  /** How long the job at the batch's front has aged while other calls waited with it. */
  readonly front = new FrontAging(this.startedAt)
  readonly #stop = new AbortController()
  readonly #lastTraceId: string
  #runMs = 0
  #runs = 0

  constructor(
    runtime: TaskRuntime,
    readonly task: Task<JobsAPI>,
    readonly size: number,
    onChange: () => void,
  ) {
    this.promotable = TaskController && new TaskController({ priority: 'background' })
    // A trace of its own tells the last job's span from the others'.
    const lastTrace = runtime.createTrace('last batch job')
    this.#lastTraceId = lastTrace.id
    const calls: Array<Promise<unknown>> = []
    for (let i = 0; i < size; i++) {
      const last = i === size - 1
      // A TaskSignal gives the call its priority (background here) and can change it later.
      const signal = last && this.promotable ? this.promotable.signal : this.#stop.signal
      const call = task.with(last ? { signal, trace: lastTrace } : { signal }).batch(jobMs(i))
      calls.push(
        call.then(
          () => this.done++,
          (error: unknown) => {
            this.lost++
            // Stopping and disposing are expected; anything else is worth a look.
            const outcome = outcomeOfError(error)
            if (outcome !== 'abort' && outcome !== 'disposed') console.error(error)
          },
        ),
      )
    }
    void Promise.all(calls).then(() => {
      this.endedAt = epochNow()
      lastTrace.end()
      onChange()
    })
  }

  get running(): boolean {
    return this.endedAt === undefined
  }

  /** The mean run time of the jobs that ran, from their spans. */
  get meanRunMs(): number {
    return this.#runs > 0 ? this.#runMs / this.#runs : MEAN_JOB_MS
  }

  /** Makespan once done, time so far before. */
  elapsedMs(now = epochNow()): number {
    return (this.endedAt ?? now) - this.startedAt
  }

  /** Folds in one of the task's spans; returns whether it was one of this batch's jobs. */
  onSpan(span: SpanEvent): boolean {
    if (span.method !== 'batch' || span.ts < this.startedAt) return false
    if (span.queueWaitMs !== undefined) {
      this.longestWaitMs = Math.max(this.longestWaitMs, span.queueWaitMs)
      // A job that left the front of the background queue (not the promoted one).
      if (span.priority === 'background') this.front.started(span.ts + span.queueWaitMs)
      if (span.status === 'ok') {
        this.#runMs += span.durationMs - span.queueWaitMs
        this.#runs++
      }
    }
    if (span.traceId === this.#lastTraceId) this.lastSpan = span
    return true
  }

  /** Raises the last job to user-blocking while it waits: it goes next. */
  promote(): void {
    if (!this.promotable || this.promotion) return
    const state = this.task.getState()
    this.promotion = { at: epochNow(), queued: state.pendingQueueDepth - 1 }
    this.promotable.setPriority('user-blocking')
  }

  stop(): void {
    this.#stop.abort()
    this.promotable?.abort()
  }
}
