/**
 * How long the job at the front of the batch has aged, as far as the page can tell. Atelier ages
 * only the call at the front of a priority, and only while calls of another priority wait with
 * it; it keeps that clock to itself, so the page rebuilds it from what it sees: when the latest
 * batch job started (the one behind it came to the front then; from the spans, which arrive as
 * jobs end) and since when calls of another priority have been queued (from the snapshots, every
 * 100 ms). An estimate to watch it rise by, right to within a job's length or a snapshot's gap.
 */

import type { TaskPriority } from 'atelier'
import { epochNow } from '../../ui/format'

/** The calls of another priority than the batch's that wait with it. */
export interface Rivals {
  count: number
  /** The highest priority among them: the level the front job has to reach to go next. */
  priority: TaskPriority
}

export class FrontAging {
  rivals: Rivals | undefined
  /** When the current front job reached the front: the batch's start, then its latest start. */
  #frontSince: number
  /** Since when calls of another priority have been queued; undefined while none are. */
  #rivalsSince: number | undefined

  constructor(startedAt: number) {
    this.#frontSince = startedAt
  }

  /** A background job of the batch started at `at` (`Date.now()` scale): the next is in front. */
  started(at: number): void {
    this.#frontSince = Math.max(this.#frontSince, at)
  }

  /** The task's pending calls by priority, from a snapshot. */
  queued(pending: Record<TaskPriority, number>, now = epochNow()): void {
    const blocking = pending['user-blocking']
    const count = blocking + pending['user-visible']
    this.rivals =
      count > 0 ? { count, priority: blocking > 0 ? 'user-blocking' : 'user-visible' } : undefined
    this.#rivalsSince = count > 0 ? (this.#rivalsSince ?? now) : undefined
  }

  /** How long the front job has aged; undefined while nothing waits with it, when none does. */
  agedMs(now = epochNow()): number | undefined {
    if (this.#rivalsSince === undefined) return undefined
    return Math.max(0, now - Math.max(this.#frontSince, this.#rivalsSince))
  }
}
