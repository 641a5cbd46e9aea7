import { describe, expect, it } from 'vitest'
import {
  type BalancerSlot,
  createBalancer,
  createLeastBusyBalancer,
  createRoundRobinBalancer,
} from '../../src/engine/balancer.js'

interface Slot extends BalancerSlot {
  name: string
  isAvailable: boolean
  isAlive: boolean
  load: number
}

function slot(name: string, load = 0, isAlive = true, isAvailable = true): Slot {
  return { name, load, isAlive, isAvailable }
}

/** Picks `count` times, returning the names picked (`-` for undefined). */
function picks(pick: () => Slot | undefined, count: number): string[] {
  return Array.from({ length: count }, () => pick()?.name ?? '-')
}

describe('least-busy balancer', () => {
  it('picks the slot with the lowest load', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('a', 3), slot('b', 1), slot('c', 2)]
    for (let i = 0; i < 5; i++) expect(balancer.pick(slots)?.name).toBe('b')
  })

  it('picks the lowest load wherever the search starts', () => {
    const loads = [4, 2, 7, 1, 3]
    const balancer = createLeastBusyBalancer()
    const slots = loads.map((load, i) => slot(String(i), load))
    for (let i = 0; i < 2 * loads.length; i++) expect(balancer.pick(slots)?.name).toBe('3')
  })

  it('prefers a lower load even if that slot has no live worker yet', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('busy', 2, true), slot('cold', 0, false)]
    expect(picks(() => balancer.pick(slots), 4)).toEqual(['cold', 'cold', 'cold', 'cold'])
  })

  it('skips unavailable slots even when they are the least busy', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('a', 0, true, false), slot('b', 5), slot('c', 0, false, false)]
    expect(picks(() => balancer.pick(slots), 4)).toEqual(['b', 'b', 'b', 'b'])
  })

  it('on a tie, prefers a live worker over spawning one, wherever the search starts', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('cold1', 1, false), slot('live', 1, true), slot('cold2', 1, false)]
    expect(picks(() => balancer.pick(slots), 6)).toEqual(Array(6).fill('live'))
  })

  it('on a tie between idle slots, prefers the live one', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('cold', 0, false), slot('live', 0, true)]
    expect(picks(() => balancer.pick(slots), 4)).toEqual(['live', 'live', 'live', 'live'])
  })

  it('rotates among equal slots: two idle live slots alternate', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('a'), slot('b')]
    expect(picks(() => balancer.pick(slots), 6)).toEqual(['a', 'b', 'a', 'b', 'a', 'b'])
  })

  it('rotates among equal slots that are not idle', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('a', 2), slot('b', 2), slot('c', 2)]
    expect(picks(() => balancer.pick(slots), 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c'])
  })

  it('rotates among equal cold slots too', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('a', 0, false), slot('b', 0, false)]
    expect(picks(() => balancer.pick(slots), 4)).toEqual(['a', 'b', 'a', 'b'])
  })

  it('spreads calls evenly when each pick adds load', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('a'), slot('b'), slot('c')]
    for (let i = 0; i < 9; i++) balancer.pick(slots)!.load++
    expect(slots.map((s) => s.load)).toEqual([3, 3, 3])
  })

  it('follows load changes between picks', () => {
    const balancer = createLeastBusyBalancer()
    const a = slot('a', 0)
    const b = slot('b', 0)
    const slots = [a, b]
    expect(balancer.pick(slots)).toBe(a)
    a.load = 3
    expect(balancer.pick(slots)).toBe(b)
    b.load = 5
    expect(balancer.pick(slots)).toBe(a)
    b.isAvailable = false
    a.isAvailable = false
    expect(balancer.pick(slots)).toBeUndefined()
    b.isAvailable = true
    expect(balancer.pick(slots)).toBe(b)
  })

  it('returns undefined when no slot is available', () => {
    const balancer = createLeastBusyBalancer()
    const slots = [slot('a', 0, true, false), slot('b', 0, false, false)]
    expect(balancer.pick(slots)).toBeUndefined()
    expect(balancer.pick(slots)).toBeUndefined()
  })

  it('returns undefined for no slots, and still works afterwards', () => {
    const balancer = createLeastBusyBalancer()
    expect(balancer.pick([])).toBeUndefined()
    // The rotation cursor must survive an empty pick: `(cursor + 1) % 0` is NaN.
    const slots = [slot('a'), slot('b')]
    expect(picks(() => balancer.pick(slots), 2)).toEqual(['a', 'b'])
  })
})

describe('round-robin balancer', () => {
  it('cycles through the slots regardless of load', () => {
    const balancer = createRoundRobinBalancer()
    const slots = [slot('a', 9), slot('b', 0), slot('c', 4)]
    expect(picks(() => balancer.pick(slots), 7)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a'])
  })

  it('ignores liveness', () => {
    const balancer = createRoundRobinBalancer()
    const slots = [slot('a', 0, false), slot('b', 0, true)]
    expect(picks(() => balancer.pick(slots), 4)).toEqual(['a', 'b', 'a', 'b'])
  })

  it('skips unavailable slots and continues after the one it picked', () => {
    const balancer = createRoundRobinBalancer()
    const slots = [slot('a'), slot('b', 0, true, false), slot('c'), slot('d')]
    expect(picks(() => balancer.pick(slots), 6)).toEqual(['a', 'c', 'd', 'a', 'c', 'd'])
  })

  it('resumes where it left off when a slot becomes available again', () => {
    const balancer = createRoundRobinBalancer()
    const slots = [slot('a'), slot('b'), slot('c')]
    expect(balancer.pick(slots)?.name).toBe('a')
    slots[1]!.isAvailable = false
    expect(balancer.pick(slots)?.name).toBe('c')
    slots[1]!.isAvailable = true
    expect(picks(() => balancer.pick(slots), 3)).toEqual(['a', 'b', 'c'])
  })

  it('returns undefined when no slot is available, or there are none', () => {
    const balancer = createRoundRobinBalancer()
    expect(balancer.pick([slot('a', 0, true, false), slot('b', 0, true, false)])).toBeUndefined()
    expect(balancer.pick([])).toBeUndefined()
    expect(balancer.pick([slot('a')])?.name).toBe('a')
  })
})

describe('createBalancer', () => {
  it('builds the balancer named', () => {
    const slots = [slot('a', 5), slot('b', 0)]
    const roundRobin = createBalancer('round-robin')
    expect(picks(() => roundRobin.pick(slots), 4)).toEqual(['a', 'b', 'a', 'b'])
    const leastBusy = createBalancer('least-busy')
    expect(picks(() => leastBusy.pick(slots), 4)).toEqual(['b', 'b', 'b', 'b'])
  })
})
