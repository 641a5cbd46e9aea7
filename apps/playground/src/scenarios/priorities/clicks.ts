/**
 * The clicks: each one a call made with `task.with({ priority })` into the batch's queue, and
 * what first come, first served would have made it wait, for comparison. A click's span (found
 * by the trace it was made under) says how long it really waited.
 */

import {
  type CallOutcome,
  outcomeOfError,
  type SpanEvent,
  type Task,
  type TaskPriority,
  type TaskRuntime,
} from 'atelier'
import type { JobsAPI } from './jobs.worker'

/** The work a click asks for. */
export const CLICK_MS = 30

export interface Click {
  n: number
  priority: TaskPriority
  /** Calls queued when it was made: first come, first served, it waits for all of them. */
  ahead: number
  /** What that would take: the calls ahead × the mean run time ÷ the workers. */
  fifoMs: number
  /** Its span, once it settled. */
  span: SpanEvent | undefined
  /** How it ended, once it did. */
  outcome: CallOutcome | undefined
}

export class Clicks {
  /** Every click, oldest first. */
  readonly all: Click[] = []
  readonly #byTrace = new Map<string, Click>()

  constructor(
    readonly runtime: TaskRuntime,
    readonly poolSize: number,
  ) {}

  send(
    task: Task<JobsAPI>,
    priority: TaskPriority,
    meanRunMs: number,
    onChange: () => void,
  ): Click {
    const state = task.getState()
    const ahead = state.pendingQueueDepth + state.waitingQueueDepth
    const click: Click = {
      n: this.all.length + 1,
      priority,
      ahead,
      fifoMs: (ahead * meanRunMs) / this.poolSize,
      span: undefined,
      outcome: undefined,
    }
    this.all.push(click)
    // A trace per click: its span carries the trace's id, which is how we find it.
    const trace = this.runtime.createTrace(`click ${click.n}`)
    this.#byTrace.set(trace.id, click)
    task
      .with({ priority, trace })
      .click(CLICK_MS)
      .then(
        () => {
          click.outcome = 'ok'
        },
        (error: unknown) => {
          click.outcome = outcomeOfError(error)
        },
      )
      .finally(() => {
        trace.end()
        this.#byTrace.delete(trace.id)
        onChange()
      })
    return click
  }

  /** Folds in one of the task's spans; returns whether it was a click's. */
  onSpan(span: SpanEvent): boolean {
    const click = span.traceId === undefined ? undefined : this.#byTrace.get(span.traceId)
    if (!click) return false
    click.span = span
    return true
  }

  /** The clicks of one priority that waited in the queue and ran. */
  ran(priority: TaskPriority): Click[] {
    return this.all.filter((c) => c.priority === priority && c.span?.queueWaitMs !== undefined)
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
