/**
 * Queued calls by priority, in the Scheduler API's three levels, with aging: one FIFO list per
 * priority, so every operation is O(1) whatever the depth.
 *
 * Within one priority, calls go first come first served. Across priorities, the next call is the
 * head with the highest effective priority, the older first among equals.
 *
 * Aging keeps a priority from starving, without undoing priorities: only a call at the front of
 * its priority ages, and only while calls of another priority wait with it. It rises one level
 * for every `agingMs` of that, so a `background` call behind an endless stream of `user-blocking`
 * ones reaches their level after 2 × `agingMs` and, older than they are, goes next; then the
 * call behind it starts aging. A background batch so trickles through a stream of urgent calls,
 * one call per 2 × `agingMs`, where aging every queued call from its arrival would, after a
 * while, rank the whole batch above every new urgent call. Picking the next call compares three
 * heads.
 */

import { type Linked, LinkedList } from './linked-list.js'

/** 0 `user-blocking`, 1 `user-visible`, 2 `background`. */
export type PriorityLevel = 0 | 1 | 2

export interface Prioritized<T> extends Linked<T> {
  priority: PriorityLevel
  /** When it joined the queue (`performance.now()`): the older goes first among equals. */
  queuedSince: number
  /** When it started aging: at the front of its priority, with another priority waiting. */
  agedFrom: number | undefined
}

export class PriorityLists<T extends Prioritized<T>> {
  readonly lists: readonly [LinkedList<T>, LinkedList<T>, LinkedList<T>] = [
    new LinkedList<T>(),
    new LinkedList<T>(),
    new LinkedList<T>(),
  ]
  /** Nodes looked at, for tests that prove each operation O(1) (never more than a few). */
  visits = 0

  get size(): number {
    const [a, b, c] = this.lists
    return a.size + b.size + c.size
  }

  has(item: T): boolean {
    const list = item.list
    return list !== undefined && this.lists.includes(list)
  }

  push(item: T): void {
    item.agedFrom = undefined
    this.lists[item.priority].push(item)
  }

  /** Back at the head of its priority (a call whose worker died goes first again). */
  unshift(item: T): void {
    item.agedFrom = undefined
    this.lists[item.priority].unshift(item)
  }

  remove(item: T): boolean {
    return this.has(item) && item.list!.remove(item)
  }

  /** The lowest priority with a call queued, or -1 if none is. */
  lowest(): PriorityLevel | -1 {
    for (let level = 2; level >= 0; level--)
      if (this.lists[level]!.size > 0) return level as PriorityLevel
    return -1
  }

  /**
   * The call to go next (undefined if none): see the file's comment. `now` is the time, needed
   * only when calls of more than one priority are queued and aging is on.
   */
  next(now: number | undefined, agingMs: number): T | undefined {
    let best: T | undefined
    let bestLevel = Number.POSITIVE_INFINITY
    for (const list of this.lists) {
      const head = list.head
      if (head === undefined) continue
      this.visits++
      if (now === undefined) return head
      head.agedFrom ??= now
      const level = effectiveLevel(head, now, agingMs)
      if (level < bestLevel || (level === bestLevel && head.queuedSince < best!.queuedSince)) {
        best = head
        bestLevel = level
      }
    }
    return best
  }

  /** Removes and returns the call to go next. */
  shift(now: number | undefined, agingMs: number): T | undefined {
    const item = this.next(now, agingMs)
    if (item !== undefined) item.list!.remove(item)
    return item
  }

  /** Oldest first within each priority, highest priority first: the order of a shutdown. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const list of this.lists) yield* list
  }
}

/** Its priority level after aging: one level up per `agingMs` aged (0 turns aging off). */
export function effectiveLevel(item: Prioritized<unknown>, now: number, agingMs: number): number {
  if (!(agingMs > 0) || item.priority === 0 || item.agedFrom === undefined) return item.priority
  const aged = Math.max(0, now - item.agedFrom)
  return Math.max(0, item.priority - Math.floor(aged / agingMs))
}
