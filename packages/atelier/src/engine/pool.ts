/**
 * A task's places for workers, and what is asked of them all at once: how many are starting,
 * alive or busy, terminating them together, and waiting until every one is ready.
 */

import type { WorkerLike } from '../options.js'
import { type SlotOwner, WorkerSlot } from './worker-slot.js'

interface Waiter {
  resolve: () => void
  reject: (error: unknown) => void
}

/** What the slots hold, counted in one pass. */
export interface PoolCounts {
  /** Workers alive (starting or ready). */
  live: number
  /** Slots with at least one call. */
  busy: number
  /** Some slot is waiting out a restart delay. */
  backingOff: boolean
  /** Calls on each slot, by index. */
  loads: number[]
}

export class Pool<C> {
  readonly slots: WorkerSlot<C>[] = []
  /** `startWorkers()` callers, waiting for every slot to be ready. */
  #waiters: Waiter[] = []
  #keepsAlive = false

  constructor(
    size: number,
    owner: SlotOwner<C>,
    createWorker: () => WorkerLike,
    connectTimeoutMs: number | undefined,
  ) {
    for (let i = 0; i < size; i++) {
      this.slots.push(new WorkerSlot<C>(i, owner, createWorker, connectTimeoutMs))
    }
  }

  get startingCount(): number {
    let starting = 0
    for (const slot of this.slots) if (slot.state === 'starting') starting++
    return starting
  }

  get anyAlive(): boolean {
    return this.slots.some((slot) => slot.isAlive)
  }

  /** Whether the workers may keep the process alive: while the task has work. */
  keepAlive(keep: boolean): void {
    if (keep === this.#keepsAlive) return
    this.#keepsAlive = keep
    for (const slot of this.slots) slot.keepAlive(keep)
  }

  get waiterCount(): number {
    return this.#waiters.length
  }

  counts(): PoolCounts {
    const counts: PoolCounts = { live: 0, busy: 0, backingOff: false, loads: [] }
    for (const slot of this.slots) {
      if (slot.isAlive) counts.live++
      if (slot.load > 0) counts.busy++
      if (slot.state === 'backoff') counts.backingOff = true
      counts.loads.push(slot.load)
    }
    return counts
  }

  /**
   * Terminates every worker; `onTerminated` hears of each that was alive. Returns the calls that
   * were on them, still holding their places.
   */
  terminateAll(onTerminated: (slot: WorkerSlot<C>) => void): C[] {
    const calls: C[] = []
    for (const slot of this.slots) {
      const wasAlive = slot.isAlive
      calls.push(...slot.terminate())
      if (wasAlive) onTerminated(slot)
    }
    return calls
  }

  /** Waits, with `startWorkers()`, for every slot to be ready. */
  wait(waiter: Waiter): void {
    this.#waiters.push(waiter)
  }

  /** Resolves the waiters if every slot is ready now. */
  resolveIfReady(): void {
    if (this.#waiters.length === 0 || !this.slots.every((slot) => slot.state === 'ready')) return
    for (const waiter of this.#take()) waiter.resolve()
  }

  rejectWaiters(error: unknown): void {
    for (const waiter of this.#take()) waiter.reject(error)
  }

  #take(): Waiter[] {
    const waiters = this.#waiters
    this.#waiters = []
    return waiters
  }
}
