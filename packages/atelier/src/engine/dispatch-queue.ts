/**
 * Admission control for one task: how many calls may run, how many may wait for a worker, and
 * what happens beyond that. Pure bookkeeping: no timers, no workers, no promises. The executor
 * asks it what to do and carries the answer out.
 *
 * A call moves waiting → pending → in flight:
 * - waiting: the caller is held before admission (`block` only), FIFO;
 * - pending: admitted, queued for a worker, at most `maxQueueDepth` of them;
 * - in flight: on a worker, at most `maxInFlight` of them.
 */

import type { QueuePolicy } from '../options.js'
import { type Linked, LinkedList } from './linked-list.js'

export interface QueueLimits {
  maxInFlight: number
  maxQueueDepth: number
  policy: QueuePolicy
}

/** What {@link DispatchQueue.offer} did with an incoming item. */
export type Admission<T> =
  | { outcome: 'pending' }
  | { outcome: 'waiting' }
  /** `reject` / `drop-latest`: the incoming item was refused. */
  | { outcome: 'refused' }
  /** `drop-oldest`: the incoming item is pending; `evicted` was removed to make room. */
  | { outcome: 'evicted'; evicted: T }

// Admissions without a payload are shared constants: offer() is on every call's path.
const PENDING = { outcome: 'pending' } as const
const WAITING = { outcome: 'waiting' } as const
const REFUSED = { outcome: 'refused' } as const

export class DispatchQueue<T extends Linked<T>> {
  readonly waiting = new LinkedList<T>()
  readonly pending = new LinkedList<T>()
  inFlight = 0

  constructor(readonly limits: QueueLimits) {}

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
    switch (this.limits.policy) {
      case 'block':
        this.waiting.push(item)
        return WAITING
      case 'drop-oldest': {
        const evicted = this.pending.shift()
        if (!evicted) return REFUSED
        this.pending.push(item)
        return { outcome: 'evicted', evicted }
      }
      default:
        return REFUSED
    }
  }

  /** Whether {@link take} would return an item. */
  get canDispatch(): boolean {
    return this.pending.size > 0 && this.inFlight < this.limits.maxInFlight
  }

  /** Moves the oldest pending item in flight, or returns undefined if it may not go yet. */
  take(): T | undefined {
    if (!this.canDispatch) return undefined
    const item = this.pending.shift()!
    this.inFlight++
    this.#admitWaiting()
    return item
  }

  /** An in-flight item finished (or its worker died): frees its place. */
  release(): void {
    this.inFlight--
    this.#admitWaiting()
  }

  /** Puts an in-flight item back at the head of pending (its worker died; it will run again). */
  requeue(item: T): void {
    this.inFlight--
    this.pending.unshift(item)
  }

  /** Removes a waiting or pending item (it was cancelled). */
  remove(item: T): void {
    if (this.pending.remove(item)) this.#admitWaiting()
    else this.waiting.remove(item)
  }

  /** Empties the queue (shutdown), returning every waiting and pending item, oldest first. */
  drain(): T[] {
    const items = [...this.pending, ...this.waiting]
    for (const item of items) item.list?.remove(item)
    return items
  }

  /** Moves waiting items into pending while there is room. */
  #admitWaiting(): void {
    while (this.waiting.size > 0 && this.#room > 0) this.pending.push(this.waiting.shift()!)
  }
}
