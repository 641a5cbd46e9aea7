/**
 * Worker choice. The executor asks a balancer which of the task's slots takes the next call;
 * the balancer sees only what it needs: whether a slot can take work, whether it already has a
 * live worker, and how many calls it is running.
 */

import type { BalancerName } from '../options.js'

export interface BalancerSlot {
  /** Can take a call now (not backing off after a crash). */
  readonly isAvailable: boolean
  /** Has a live worker (spawned or ready); otherwise taking a call means spawning one. */
  readonly isAlive: boolean
  /** Calls on this slot, including cancelled ones the worker has not finished yet. */
  readonly load: number
}

export interface Balancer {
  pick<S extends BalancerSlot>(slots: readonly S[]): S | undefined
}

/** Cycles through the slots regardless of their load. */
export function createRoundRobinBalancer(): Balancer {
  let cursor = 0
  return {
    pick(slots) {
      for (let i = 0; i < slots.length; i++) {
        const index = (cursor + i) % slots.length
        const slot = slots[index]!
        if (slot.isAvailable) {
          cursor = index + 1
          return slot
        }
      }
      return undefined
    },
  }
}

/**
 * The slot with the fewest calls in flight. On a tie a live worker beats spawning a new one,
 * then the search start rotates so equal slots share the work.
 */
export function createLeastBusyBalancer(): Balancer {
  let cursor = 0
  return {
    pick(slots) {
      let best: (typeof slots)[number] | undefined
      const n = slots.length
      if (n === 0) return undefined
      for (let i = 0; i < n; i++) {
        const slot = slots[(cursor + i) % n]!
        if (!slot.isAvailable) continue
        if (
          !best ||
          slot.load < best.load ||
          (slot.load === best.load && slot.isAlive && !best.isAlive)
        ) {
          best = slot
          if (slot.load === 0 && slot.isAlive) break
        }
      }
      cursor = (cursor + 1) % n
      return best
    },
  }
}

export function createBalancer(name: BalancerName): Balancer {
  return name === 'round-robin' ? createRoundRobinBalancer() : createLeastBusyBalancer()
}
