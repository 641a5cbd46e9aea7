/**
 * Admission control for one task: how many calls may run, how many may wait for a worker, and
 * what happens beyond that. Pure bookkeeping: no timers, no workers, no promises. The executor
 * asks it what to do and carries the answer out.
 *
 * A call moves waiting → pending → in flight:
 * - waiting: the caller is held before admission (`block` only);
 * - pending: admitted, queued for a worker, at most `maxQueueDepth` of them;
 * - in flight: on a worker, at most `maxInFlight` of them.
 *
 * Waiting and pending calls are ordered by priority, oldest first within one, with aging (see
 * `priority-lists.ts`). Under a lossy policy a full queue makes room by priority: the lowest
 * priority present goes first, and a newcomer is refused only if nothing queued ranks below it.
 */

import type { QueuePolicy } from '../options.js'
import { type Prioritized, type PriorityLevel, PriorityLists } from './priority-lists.js'

export interface QueueLimits {
  maxInFlight: number
  maxQueueDepth: number
  policy: QueuePolicy
  /** A waiting call rises one priority level per this many ms; 0 turns aging off. */
  agingMs: number
  /** `performance.now()`, or a test's clock. */
  now?: () => number
}

/** What {@link DispatchQueue.offer} did with an incoming item. */
export type Admission<T> =
  | { outcome: 'pending' }
  | { outcome: 'waiting' }
  /** `reject` / `drop-latest`, or `drop-oldest` when everything queued outranks it: refused. */
  | { outcome: 'refused' }
  /** The incoming item is pending; `evicted` was removed to make room. */
  | { outcome: 'evicted'; evicted: T }

// Admissions without a payload are shared constants: offer() is on every call's path.
const PENDING = { outcome: 'pending' } as const
const WAITING = { outcome: 'waiting' } as const
const REFUSED = { outcome: 'refused' } as const

const clock = () => performance.now()

export class DispatchQueue<T extends Prioritized<T>> {
  readonly waiting = new PriorityLists<T>()
  readonly pending = new PriorityLists<T>()
  inFlight = 0
  readonly #now: () => number

  constructor(readonly limits: QueueLimits) {
    this.#now = limits.now ?? clock
  }

  /**
   * Free in-flight capacity counts as room: a call that could start right away is never refused
   * just because `maxQueueDepth` is small (or zero). So pending may briefly hold up to
   * `maxQueueDepth + maxInFlight - inFlight` items while no worker is ready to take them.
   */
  get #room(): number {
    const { maxInFlight, maxQueueDepth } = this.limits
    return maxQueueDepth + Math.max(0, maxInFlight - this.inFlight) - this.pending.size
  }

  offer(item: T): Admission<T> {
    // Waiting callers came first: nobody jumps them, even if room just opened.
    if (this.waiting.size === 0 && this.#room > 0) {
      this.pending.push(item)
      return PENDING
    }
    const policy = this.limits.policy
    if (policy === 'block') {
      this.waiting.push(item)
      return WAITING
    }
    const lowest = this.pending.lowest()
    // Under drop-oldest a call of the newcomer's own priority may go; under reject and
    // drop-latest only one that ranks below it.
    const evictable = policy === 'drop-oldest' ? lowest >= item.priority : lowest > item.priority
    if (lowest === -1 || !evictable) return REFUSED
    const list = this.pending.lists[lowest]
    const evicted = (policy === 'drop-oldest' ? list.head : list.tail)!
    list.remove(evicted)
    this.pending.push(item)
    return { outcome: 'evicted', evicted }
  }

  /** Whether {@link take} would return an item. */
  get canDispatch(): boolean {
    return this.pending.size > 0 && this.inFlight < this.limits.maxInFlight
  }

  /** Moves the next pending item in flight, or returns undefined if it may not go yet. */
  take(): T | undefined {
    if (!this.canDispatch) return undefined
    const item = this.pending.shift(this.#clockFor(this.pending), this.limits.agingMs)!
    this.inFlight++
    this.#admitWaiting()
    return item
  }

  /** An in-flight item finished (or its worker died): frees its place. */
  release(): void {
    this.inFlight--
    this.#admitWaiting()
  }

  /**
   * Changes how many may be in flight (Atelier's own pacing, when the app left it to Atelier):
   * room that opens admits waiting items; items in flight beyond a lower limit finish as usual.
   */
  setMaxInFlight(limit: number): void {
    this.limits.maxInFlight = limit
    this.#admitWaiting()
  }

  /** Puts an in-flight item back at the head of its priority (its worker died; it runs again). */
  requeue(item: T): void {
    this.inFlight--
    this.pending.unshift(item)
  }

  /** Removes a waiting or pending item (it was cancelled). */
  remove(item: T): void {
    if (this.pending.remove(item)) this.#admitWaiting()
    else this.waiting.remove(item)
  }

  /**
   * A queued item's priority changed: it joins the back of its new priority, and its aging starts
   * again. False if it is not queued (in flight, or settled).
   */
  reprioritize(item: T, priority: PriorityLevel): boolean {
    // Checked before the item leaves its list: a level that is not one would lose it.
    if (priority !== 0 && priority !== 1 && priority !== 2) return false
    const lists = this.pending.has(item)
      ? this.pending
      : this.waiting.has(item)
        ? this.waiting
        : undefined
    if (lists === undefined) return false
    lists.remove(item)
    item.priority = priority
    item.queuedSince = this.#now()
    lists.push(item)
    return true
  }

  /** Empties the queue (shutdown), returning every waiting and pending item. */
  drain(): T[] {
    const items = [...this.pending, ...this.waiting]
    for (const item of items) item.list?.remove(item)
    return items
  }

  /** Moves waiting items into pending while there is room, the next by priority first. */
  #admitWaiting(): void {
    const { waiting, pending } = this
    if (waiting.size === 0) return
    const now = this.#clockFor(waiting)
    while (waiting.size > 0 && this.#room > 0)
      pending.push(waiting.shift(now, this.limits.agingMs)!)
  }

  /** The time, when the choice depends on it: aging on, and more than one priority queued. */
  #clockFor(lists: PriorityLists<T>): number | undefined {
    if (!(this.limits.agingMs > 0)) return undefined
    const [a, b, c] = lists.lists
    const levels = (a.size > 0 ? 1 : 0) + (b.size > 0 ? 1 : 0) + (c.size > 0 ? 1 : 0)
    return levels > 1 ? this.#now() : undefined
  }
}
