/**
 * The dispatch queue with priorities: order (higher first, FIFO within one), aging (a waiting
 * call rises a level per `agingMs`, so nothing starves), eviction under lossy policies, and
 * O(1) work per operation at any depth. A seeded property test checks every dispatch and every
 * eviction against the rules, over random mixes of offers, dispatches, releases, cancellations
 * and priority changes.
 */
import { describe, expect, it } from 'vitest'
import { DispatchQueue } from '../../src/engine/dispatch-queue.js'
import {
  effectiveLevel,
  type Prioritized,
  type PriorityLevel,
} from '../../src/engine/priority-lists.js'
import type { QueuePolicy } from '../../src/options.js'
import { mulberry32 } from '../support/random.js'

interface Item extends Prioritized<Item> {
  id: number
}

let clock = 0
const now = () => clock

function item(id: number, priority: PriorityLevel): Item {
  return {
    prev: undefined,
    next: undefined,
    list: undefined,
    id,
    priority,
    queuedSince: clock,
    agedFrom: undefined,
  }
}

function queue(policy: QueuePolicy, maxInFlight: number, maxQueueDepth: number, agingMs = 0) {
  return new DispatchQueue<Item>({ policy, maxInFlight, maxQueueDepth, agingMs, now })
}

const UB = 0
const UV = 1
const BG = 2

describe('priorities: order', () => {
  it('a higher priority goes first; within one priority, first come first served', () => {
    clock = 0
    const q = queue('block', 1, 100)
    const offered = [item(1, BG), item(2, UV), item(3, UB), item(4, BG), item(5, UB), item(6, UV)]
    for (const i of offered) q.offer(i)
    const order: number[] = []
    for (let i = q.take(); i; q.release(), i = q.take()) order.push(i.id)
    expect(order).toEqual([3, 5, 2, 6, 1, 4])
  })

  it('waiting callers (block) are admitted by priority too', () => {
    clock = 0
    const q = queue('block', 1, 0)
    const running = item(1, UV)
    q.offer(running)
    q.take()
    const [bg, ub] = [item(2, BG), item(3, UB)]
    expect(q.offer(bg)).toEqual({ outcome: 'waiting' })
    expect(q.offer(ub)).toEqual({ outcome: 'waiting' })
    q.release()
    expect(q.take()).toBe(ub)
  })

  it('a re-prioritized call joins the back of its new priority, its aging restarted', () => {
    clock = 0
    const q = queue('block', 1, 100, 100)
    const [a, b, c] = [item(1, BG), item(2, UB), item(3, UB)]
    for (const i of [a, b, c]) q.offer(i)
    clock = 50
    expect(q.reprioritize(a, UB)).toBe(true)
    expect(a.queuedSince).toBe(50)
    const order: Item[] = []
    for (let next = q.take(); next; q.release(), next = q.take()) order.push(next)
    expect(order).toEqual([b, c, a])
    expect(q.reprioritize(a, BG)).toBe(false) // in flight: nothing to re-order
  })

  it('a level that is not one re-orders nothing and loses nothing', () => {
    const q = queue('block', 1, 100)
    const [a, b] = [item(1, BG), item(2, UV)]
    q.offer(a)
    q.offer(b)
    for (const bad of [-1, 3, 1.5, Number.NaN] as PriorityLevel[]) {
      expect(q.reprioritize(a, bad)).toBe(false)
    }
    expect(a.priority).toBe(BG)
    expect(q.take()).toBe(b)
    q.release()
    expect(q.take()).toBe(a)
  })
})

describe('priorities: aging', () => {
  it('a background call behind an endless stream of user-blocking ones goes within 2 × agingMs', () => {
    clock = 0
    const agingMs = 500
    const q = queue('block', 1, 1_000_000, agingMs)
    const background = item(0, BG)
    q.offer(background)
    // Every millisecond one user-blocking call arrives and one call is dispatched: without aging
    // the background call would wait for ever.
    let dispatchedAt = -1
    for (let id = 1; dispatchedAt < 0 && clock < 10_000; id++, clock++) {
      q.offer(item(id, UB))
      q.offer(item(id + 1_000_000, UB))
      const taken = q.take()
      q.release()
      if (taken === background) dispatchedAt = clock
    }
    expect(dispatchedAt).toBeGreaterThan(0)
    // At user-blocking level after 2 × agingMs, and older than every user-blocking call queued.
    expect(dispatchedAt).toBeLessThanOrEqual(2 * agingMs + 1)
  })

  it('a background batch trickles through an urgent stream: one call per 2 × agingMs', () => {
    clock = 0
    const agingMs = 500
    const q = queue('block', 1, 1_000_000, agingMs)
    for (let id = 0; id < 100; id++) q.offer(item(id, BG))
    let background = 0
    let urgentWaitMax = 0
    const urgent: Item[] = []
    // Ten seconds: a user-blocking call arrives every ms, and one call is dispatched every ms.
    for (let id = 1000; clock < 10_000; id++, clock++) {
      const call = item(id, UB)
      urgent.push(call)
      q.offer(call)
      const taken = q.take()!
      q.release()
      if (taken.priority === BG) background++
      else urgentWaitMax = Math.max(urgentWaitMax, clock - taken.queuedSince)
    }
    // Not the whole batch at once (aging every queued call from its arrival would put all 100
    // ahead of every urgent call after a second): one by one, each after aging at the front.
    expect(background).toBeGreaterThanOrEqual(9)
    expect(background).toBeLessThanOrEqual(11)
    expect(urgentWaitMax).toBeLessThanOrEqual(background + 1)
  })

  it('a batch queued long before an urgent call does not outrank it', () => {
    clock = 0
    const q = queue('block', 1, 1000, 500)
    for (let id = 0; id < 50; id++) q.offer(item(id, BG))
    clock = 60_000
    const urgent = item(99, UB)
    q.offer(urgent)
    expect(q.take()).toBe(urgent)
  })

  it('with aging off, order is by priority alone', () => {
    clock = 0
    const q = queue('block', 1, 100, 0)
    q.offer(item(1, BG))
    clock = 1_000_000
    q.offer(item(2, UB))
    expect(q.take()!.id).toBe(2)
  })

  it('effectiveLevel: one level per agingMs aged, never above user-blocking', () => {
    const i = item(1, BG)
    expect(effectiveLevel(i, 10_000, 100)).toBe(2) // not aging: not at the front with a rival
    i.agedFrom = 0
    expect([0, 99, 100, 199, 200, 10_000].map((t) => effectiveLevel(i, t, 100))).toEqual([
      2, 2, 1, 1, 0, 0,
    ])
  })
})

describe('priorities: lossy policies', () => {
  function full(policy: QueuePolicy) {
    clock = 0
    const q = queue(policy, 1, 3)
    q.offer(item(0, UV))
    q.take() // in flight: the queue now holds maxQueueDepth
    const queued = [item(1, UV), item(2, BG), item(3, BG)]
    for (const i of queued) expect(q.offer(i)).toEqual({ outcome: 'pending' })
    return q
  }

  it('drop-oldest evicts the oldest call of the lowest priority present', () => {
    const q = full('drop-oldest')
    expect(q.offer(item(4, UB))).toMatchObject({ outcome: 'evicted', evicted: { id: 2 } })
  })

  it('drop-oldest drops the newcomer when everything queued outranks it', () => {
    clock = 0
    const q = queue('drop-oldest', 1, 1)
    q.offer(item(0, UV))
    q.take()
    q.offer(item(1, UB))
    expect(q.offer(item(2, BG))).toEqual({ outcome: 'refused' })
  })

  it.each(['reject', 'drop-latest'] as const)(
    '%s evicts the newest call of a lower priority, else refuses',
    (policy) => {
      const q = full(policy)
      expect(q.offer(item(4, UB))).toMatchObject({ outcome: 'evicted', evicted: { id: 3 } })
      // Now UV, BG, UB are queued: a background newcomer has nothing below it.
      expect(q.offer(item(5, BG))).toEqual({ outcome: 'refused' })
      expect(q.offer(item(6, UV))).toMatchObject({ outcome: 'evicted', evicted: { id: 2 } })
      // UV, UB, UV: a user-visible newcomer has nothing below it either.
      expect(q.offer(item(7, UV))).toEqual({ outcome: 'refused' })
    },
  )
})

describe('priorities: cost per operation', () => {
  it('100,000 queued calls: enqueue, dispatch, cancel and re-prioritize look at a few nodes each', () => {
    clock = 0
    const q = queue('block', 1, 200_000, 500)
    const queued: Item[] = []
    for (let id = 0; id < 100_000; id++) {
      const i = item(id, (id % 3) as PriorityLevel)
      queued.push(i)
      q.offer(i)
      if (id % 1000 === 0) clock++
    }
    expect(q.pending.size).toBe(100_000)
    const before = q.pending.visits
    for (let k = 0; k < 1000; k++) {
      clock += 7
      q.remove(queued[k * 50]!)
      q.reprioritize(queued[k * 50 + 1]!, (k % 3) as PriorityLevel)
      q.take()
      q.release()
    }
    // Each dispatch compares the heads of three lists; nothing else walks a list.
    expect(q.pending.visits - before).toBeLessThanOrEqual(3 * 1000)
  })
})

describe('priorities: seeded property test against an oracle', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i', (seed) => {
    const random = mulberry32(seed)
    clock = 0
    const agingMs = [0, 10, 50][seed % 3]!
    const policy = (['block', 'reject', 'drop-latest', 'drop-oldest'] as const)[seed % 4]!
    const maxInFlight = 1 + (seed % 2)
    const maxQueueDepth = 3 + (seed % 5)
    const q = queue(policy, maxInFlight, maxQueueDepth, agingMs)
    const queued = new Set<Item>()
    let inFlight = 0
    let nextId = 1
    for (let step = 0; step < 4000; step++) {
      clock += Math.floor(random() * 5)
      const r = random()
      if (r < 0.45) {
        const incoming = item(nextId++, Math.floor(random() * 3) as PriorityLevel)
        const lowest = Math.max(-1, ...[...q.pending].map((i) => i.priority))
        const admission = q.offer(incoming)
        if (admission.outcome === 'pending' || admission.outcome === 'waiting') queued.add(incoming)
        if (admission.outcome === 'evicted') {
          queued.delete(admission.evicted)
          queued.add(incoming)
          // The lowest priority present went, and never one above the newcomer's.
          expect(admission.evicted.priority).toBe(lowest)
          if (policy === 'drop-oldest') expect(lowest).toBeGreaterThanOrEqual(incoming.priority)
          else expect(lowest).toBeGreaterThan(incoming.priority)
        }
        if (admission.outcome === 'refused') {
          expect(policy).not.toBe('block')
          if (policy === 'drop-oldest') expect(lowest).toBeLessThan(incoming.priority)
          else expect(lowest).toBeLessThanOrEqual(incoming.priority)
        }
      } else if (r < 0.8) {
        // The first admitted of each priority, and the best of those by (aged level, age).
        const heads = q.pending.lists.map((list) => list.head).filter((i) => i !== undefined)
        const taken = q.take()
        if (taken === undefined) continue
        expect(heads).toContain(taken)
        const rank = (i: Item) => [effectiveLevel(i, clock, agingMs), i.queuedSince] as const
        for (const head of heads) {
          const [level, age] = rank(head)
          const [takenLevel, takenAge] = rank(taken)
          expect(level < takenLevel || (level === takenLevel && age < takenAge)).toBe(false)
        }
        queued.delete(taken)
        inFlight++
      } else if (r < 0.9 && inFlight > 0) {
        q.release()
        inFlight--
      } else if (queued.size > 0) {
        const victims = [...queued]
        const victim = victims[Math.floor(random() * victims.length)]!
        if (random() < 0.5) {
          q.remove(victim)
          queued.delete(victim)
        } else {
          q.reprioritize(victim, Math.floor(random() * 3) as PriorityLevel)
        }
      }
      expect(q.pending.size + q.waiting.size).toBe(queued.size)
      expect(q.inFlight).toBe(inFlight)
    }
  })
})
