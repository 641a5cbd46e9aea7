import { describe, expect, it } from 'vitest'
import { DispatchQueue, type QueueLimits } from '../../src/engine/dispatch-queue.js'
import type { Prioritized } from '../../src/engine/priority-lists.js'
import type { QueuePolicy } from '../../src/options.js'
import { mulberry32 } from '../support/random.js'

interface Item extends Prioritized<Item> {
  id: number
}

/** An item of the default priority (user-visible): these tests are about one priority. */
function item(id: number): Item {
  return {
    prev: undefined,
    next: undefined,
    list: undefined,
    id,
    priority: 1,
    queuedSince: 0,
    agedFrom: undefined,
  }
}

function items(count: number, from = 1): Item[] {
  return Array.from({ length: count }, (_, i) => item(from + i))
}

function ids(list: Iterable<Item>): number[] {
  return [...list].map((i) => i.id)
}

function queue(
  policy: QueuePolicy,
  maxInFlight: number,
  maxQueueDepth: number,
): DispatchQueue<Item> {
  return new DispatchQueue<Item>({ policy, maxInFlight, maxQueueDepth, agingMs: 0 })
}

const POLICIES: readonly QueuePolicy[] = ['block', 'reject', 'drop-latest', 'drop-oldest']

describe('DispatchQueue: admission', () => {
  it.each(POLICIES)('%s: admits into pending while there is room', (policy) => {
    const q = queue(policy, 1, 2)
    // Room = maxQueueDepth (2) + free in-flight capacity (1).
    for (const i of items(3)) expect(q.offer(i)).toEqual({ outcome: 'pending' })
    expect(ids(q.pending)).toEqual([1, 2, 3])
    expect(q.waiting.size).toBe(0)
    expect(q.inFlight).toBe(0)
  })

  it.each(POLICIES)('%s: maxQueueDepth 0 still accepts while inFlight < maxInFlight', (policy) => {
    const q = queue(policy, 2, 0)
    const [a, b] = items(2)
    expect(q.offer(a!)).toEqual({ outcome: 'pending' })
    expect(q.offer(b!)).toEqual({ outcome: 'pending' })
    expect(q.take()).toBe(a)
    expect(q.take()).toBe(b)
    expect(q.inFlight).toBe(2)
    // A slot frees up: a new call may be admitted again.
    q.release()
    const c = item(3)
    expect(q.offer(c)).toEqual({ outcome: 'pending' })
    expect(q.take()).toBe(c)
  })

  it('free in-flight capacity counts only once: taking a pending item does not open more room', () => {
    const q = queue('reject', 2, 0)
    const [a, b, c] = items(3)
    expect(q.offer(a!)).toEqual({ outcome: 'pending' })
    expect(q.take()).toBe(a)
    // One in flight, one free slot: exactly one more call fits.
    expect(q.offer(b!)).toEqual({ outcome: 'pending' })
    expect(q.offer(c!)).toEqual({ outcome: 'refused' })
    expect(ids(q.pending)).toEqual([2])
  })

  it('block: callers beyond the room wait, FIFO, and are not pending', () => {
    const q = queue('block', 1, 1)
    const all = items(5)
    const outcomes = all.map((i) => q.offer(i).outcome)
    expect(outcomes).toEqual(['pending', 'pending', 'waiting', 'waiting', 'waiting'])
    expect(ids(q.pending)).toEqual([1, 2])
    expect(ids(q.waiting)).toEqual([3, 4, 5])
  })

  it('block: nobody jumps the waiting callers, even when room has just opened', () => {
    const q = queue('block', 1, 0)
    const [a, b, c] = items(3)
    q.offer(a!)
    expect(q.offer(b!)).toEqual({ outcome: 'waiting' })
    // `a` is removed while `b` waits: `b` is promoted, and `c` queues behind... nothing, but
    // must not overtake `b`.
    q.remove(a!)
    expect(ids(q.pending)).toEqual([2])
    expect(q.offer(c!)).toEqual({ outcome: 'waiting' })
    expect(ids(q.waiting)).toEqual([3])
  })

  it.each(['reject', 'drop-latest'] as const)(
    '%s: refuses the incoming item when full and keeps the queue unchanged',
    (policy) => {
      const q = queue(policy, 1, 1)
      const [a, b, c, d] = items(4)
      q.offer(a!)
      q.offer(b!)
      expect(q.offer(c!)).toEqual({ outcome: 'refused' })
      expect(c!.list).toBeUndefined()
      expect(ids(q.pending)).toEqual([1, 2])
      expect(q.waiting.size).toBe(0)
      // After a dispatch and a release, there is room again.
      expect(q.take()).toBe(a)
      expect(q.offer(d!)).toEqual({ outcome: 'refused' })
      q.release()
      expect(q.offer(d!)).toEqual({ outcome: 'pending' })
      expect(ids(q.pending)).toEqual([2, 4])
    },
  )

  it('drop-oldest: evicts the oldest pending item to admit the new one', () => {
    const q = queue('drop-oldest', 1, 2)
    const [a, b, c, d, e] = items(5)
    q.offer(a!)
    expect(q.take()).toBe(a)
    q.offer(b!)
    q.offer(c!)
    const admission = q.offer(d!)
    expect(admission).toEqual({ outcome: 'evicted', evicted: b })
    expect(b!.list).toBeUndefined()
    expect(ids(q.pending)).toEqual([3, 4])
    expect(q.offer(e!)).toEqual({ outcome: 'evicted', evicted: c })
    expect(ids(q.pending)).toEqual([4, 5])
    // In-flight items are never evicted.
    expect(q.inFlight).toBe(1)
    expect(q.waiting.size).toBe(0)
  })

  it('drop-oldest: with maxQueueDepth 0 and every slot busy, refuses (nothing to evict)', () => {
    const q = queue('drop-oldest', 1, 0)
    const [a, b] = items(2)
    q.offer(a!)
    expect(q.take()).toBe(a)
    expect(q.pending.size).toBe(0)
    expect(q.offer(b!)).toEqual({ outcome: 'refused' })
    expect(b!.list).toBeUndefined()
    expect(q.pending.size).toBe(0)
    expect(q.inFlight).toBe(1)
  })

  it('drop-oldest: with maxQueueDepth 0, a pending item not yet taken is evicted', () => {
    const q = queue('drop-oldest', 1, 0)
    const [a, b] = items(2)
    q.offer(a!)
    expect(q.offer(b!)).toEqual({ outcome: 'evicted', evicted: a })
    expect(ids(q.pending)).toEqual([2])
  })
})

describe('DispatchQueue: dispatch', () => {
  it('take returns pending items oldest first and respects maxInFlight', () => {
    const q = queue('block', 2, 5)
    for (const i of items(4)) q.offer(i)
    expect(q.canDispatch).toBe(true)
    expect(q.take()?.id).toBe(1)
    expect(q.take()?.id).toBe(2)
    expect(q.inFlight).toBe(2)
    expect(q.canDispatch).toBe(false)
    expect(q.take()).toBeUndefined()
    expect(q.inFlight).toBe(2)
    expect(ids(q.pending)).toEqual([3, 4])
    q.release()
    expect(q.canDispatch).toBe(true)
    expect(q.take()?.id).toBe(3)
    expect(q.take()).toBeUndefined()
  })

  it('take on an empty queue returns undefined and changes nothing', () => {
    const q = queue('block', 2, 2)
    expect(q.canDispatch).toBe(false)
    expect(q.take()).toBeUndefined()
    expect(q.inFlight).toBe(0)
  })

  it('a taken item is detached from the pending list', () => {
    const q = queue('block', 1, 1)
    const a = item(1)
    q.offer(a)
    q.take()
    expect(a.list).toBeUndefined()
    expect(a.next).toBeUndefined()
    expect(a.prev).toBeUndefined()
  })

  it('block: release promotes the oldest waiting caller into pending', () => {
    const q = queue('block', 1, 1)
    const all = items(5)
    for (const i of all) q.offer(i)
    expect(q.take()?.id).toBe(1)
    // Taking moves one item from pending to in flight: total room is unchanged.
    expect(ids(q.pending)).toEqual([2])
    expect(ids(q.waiting)).toEqual([3, 4, 5])
    q.release()
    expect(ids(q.pending)).toEqual([2, 3])
    expect(ids(q.waiting)).toEqual([4, 5])
    expect(q.take()?.id).toBe(2)
    expect(ids(q.waiting)).toEqual([4, 5])
    q.release()
    expect(ids(q.pending)).toEqual([3, 4])
    expect(ids(q.waiting)).toEqual([5])
  })

  it('block: take does not let a waiting caller in early, release does', () => {
    const q = queue('block', 2, 0)
    const all = items(4)
    for (const i of all) q.offer(i)
    expect(ids(q.pending)).toEqual([1, 2])
    expect(ids(q.waiting)).toEqual([3, 4])
    q.take()
    q.take()
    expect(q.pending.size).toBe(0)
    expect(ids(q.waiting)).toEqual([3, 4])
    q.release()
    expect(ids(q.pending)).toEqual([3])
    expect(ids(q.waiting)).toEqual([4])
  })

  it('block: releasing several slots promotes as many waiting callers as fit', () => {
    const q = queue('block', 3, 0)
    for (const i of items(6)) q.offer(i)
    q.take()
    q.take()
    q.take()
    expect(ids(q.waiting)).toEqual([4, 5, 6])
    q.release()
    q.release()
    expect(ids(q.pending)).toEqual([4, 5])
    expect(ids(q.waiting)).toEqual([6])
  })

  it('requeue puts an in-flight item back at the head of pending and frees its slot', () => {
    const q = queue('block', 1, 2)
    const [a, b, c] = items(3)
    q.offer(a!)
    q.offer(b!)
    q.offer(c!)
    expect(q.take()).toBe(a)
    expect(q.inFlight).toBe(1)
    q.requeue(a!)
    expect(q.inFlight).toBe(0)
    expect(ids(q.pending)).toEqual([1, 2, 3])
    expect(a!.list).toBe(q.pending.lists[1])
    expect(q.take()).toBe(a)
  })

  it('requeue does not reorder waiting callers nor let them jump', () => {
    const q = queue('block', 1, 1)
    for (const i of items(4)) q.offer(i)
    const taken = q.take()!
    q.requeue(taken)
    expect(ids(q.pending)).toEqual([1, 2])
    expect(ids(q.waiting)).toEqual([3, 4])
  })
})

describe('DispatchQueue: remove and drain', () => {
  it('remove of a pending item promotes the oldest waiting caller', () => {
    const q = queue('block', 1, 1)
    const all = items(4)
    for (const i of all) q.offer(i)
    expect(ids(q.pending)).toEqual([1, 2])
    q.remove(all[1]!)
    expect(all[1]!.list).toBeUndefined()
    expect(ids(q.pending)).toEqual([1, 3])
    expect(ids(q.waiting)).toEqual([4])
  })

  it('remove of a waiting item takes it out without promoting anyone', () => {
    const q = queue('block', 1, 0)
    const all = items(4)
    for (const i of all) q.offer(i)
    expect(ids(q.waiting)).toEqual([2, 3, 4])
    q.remove(all[2]!)
    expect(all[2]!.list).toBeUndefined()
    expect(ids(q.pending)).toEqual([1])
    expect(ids(q.waiting)).toEqual([2, 4])
  })

  it('remove of the head and tail of pending keeps the order', () => {
    const q = queue('reject', 1, 3)
    const all = items(4)
    for (const i of all) q.offer(i)
    q.remove(all[0]!)
    q.remove(all[3]!)
    expect(ids(q.pending)).toEqual([2, 3])
  })

  it('remove of an item that is in neither list is a no-op', () => {
    const q = queue('block', 1, 1)
    const all = items(3)
    for (const i of all) q.offer(i)
    const taken = q.take()!
    q.remove(taken)
    q.remove(item(99))
    expect(q.inFlight).toBe(1)
    expect(ids(q.pending)).toEqual([2])
    expect(ids(q.waiting)).toEqual([3])
  })

  it('drain returns pending then waiting, oldest first, and empties both', () => {
    const q = queue('block', 1, 1)
    const all = items(6)
    for (const i of all) q.offer(i)
    q.take()
    q.requeue(all[0]!)
    expect(ids(q.pending)).toEqual([1, 2])
    expect(ids(q.waiting)).toEqual([3, 4, 5, 6])
    const drained = q.drain()
    expect(drained.map((i) => i.id)).toEqual([1, 2, 3, 4, 5, 6])
    expect(q.pending.size).toBe(0)
    expect(q.waiting.size).toBe(0)
    expect([...q.pending]).toEqual([])
    expect([...q.waiting]).toEqual([])
    for (const i of drained) expect(i.list).toBeUndefined()
  })

  it('drain leaves in-flight items alone', () => {
    const q = queue('block', 2, 0)
    for (const i of items(3)) q.offer(i)
    q.take()
    expect(q.drain().map((i) => i.id)).toEqual([2, 3])
    expect(q.inFlight).toBe(1)
    // The queue is still usable afterwards.
    q.release()
    expect(q.offer(item(10))).toEqual({ outcome: 'pending' })
  })

  it('drain of an empty queue returns an empty array', () => {
    expect(queue('block', 1, 1).drain()).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Randomized property test.

type Status =
  | 'waiting'
  | 'pending'
  | 'inflight'
  | 'refused'
  | 'evicted'
  | 'removed'
  | 'completed'
  | 'drained'

class PropertyFailure extends Error {
  override name = 'PropertyFailure'
}

function sameOrder(actual: readonly Item[], expected: readonly Item[]): boolean {
  return actual.length === expected.length && actual.every((i, n) => i === expected[n])
}

const show = (list: readonly Item[]) => `[${list.map((i) => i.id).join(', ')}]`

/**
 * Runs `steps` random operations against a queue and checks, after each, the documented bounds
 * and that every offered item is in exactly one place. Plain checks rather than `expect` in the
 * hot loop keep thousands of steps fast; a failure names the seed, step and operation.
 */
function runProperty(limits: QueueLimits, seed: number, steps: number): Record<string, number> {
  const random = mulberry32(seed)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!
  const q = new DispatchQueue<Item>({ ...limits })
  const { maxInFlight, maxQueueDepth, policy } = limits
  const status = new Map<Item, Status>()
  const counts: Record<Status, number> = {
    waiting: 0,
    pending: 0,
    inflight: 0,
    refused: 0,
    evicted: 0,
    removed: 0,
    completed: 0,
    drained: 0,
  }
  const inFlight = new Set<Item>()
  const ops: Record<string, number> = {}
  let nextId = 1
  let step = 0
  let op = ''

  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new PropertyFailure(`seed ${seed}, step ${step}, ${op}: ${what}`)
  }
  const setStatus = (i: Item, s: Status): void => {
    const before = status.get(i)
    if (before) counts[before]--
    status.set(i, s)
    counts[s]++
  }
  const bound = () => maxQueueDepth + maxInFlight - q.inFlight

  /** Waiting callers that moved to pending during an operation: oldest first, to the tail. */
  function checkPromotions(waitingBefore: Item[], pendingBefore: Item[], gone?: Item): void {
    const stillWaiting = [...q.waiting]
    const candidates = waitingBefore.filter((i) => i !== gone)
    const promoted = candidates.slice(0, candidates.length - stillWaiting.length)
    check(
      sameOrder(stillWaiting, candidates.slice(promoted.length)),
      `waiting ${show(stillWaiting)} is not a suffix of ${show(candidates)}`,
    )
    const pendingNow = [...q.pending]
    const kept = pendingNow.length - promoted.length
    check(
      sameOrder(
        pendingNow.slice(0, kept),
        pendingBefore.filter((i) => i !== gone),
      ) && sameOrder(pendingNow.slice(kept), promoted),
      `pending ${show(pendingNow)} is not ${show(pendingBefore)} + promoted ${show(promoted)}`,
    )
    for (const i of promoted) setStatus(i, 'pending')
  }

  function checkInvariants(): void {
    check(q.inFlight === inFlight.size, `inFlight ${q.inFlight} != ${inFlight.size} taken`)
    check(q.inFlight >= 0 && q.inFlight <= maxInFlight, `inFlight ${q.inFlight} out of range`)
    // The documented bound: pending ≤ maxQueueDepth + maxInFlight − inFlight.
    check(q.pending.size <= bound(), `pending ${q.pending.size} > bound ${bound()}`)
    // Nobody waits while there is room for them.
    check(q.waiting.size === 0 || q.pending.size >= bound(), 'a caller waits while there is room')
    check(policy === 'block' || q.waiting.size === 0, `waiting under policy ${policy}`)
    check(
      q.canDispatch === (q.pending.size > 0 && q.inFlight < maxInFlight),
      'canDispatch disagrees with pending/inFlight',
    )

    // Each offered item is in exactly one place, and that place matches its recorded status.
    const seen = new Set<Item>()
    let lastWaitingId = 0
    for (const i of q.waiting) {
      check(!seen.has(i), `item ${i.id} twice`)
      seen.add(i)
      check(status.get(i) === 'waiting', `item ${i.id} waiting, recorded ${status.get(i)}`)
      check(q.waiting.has(i), `item ${i.id} in waiting has the wrong list`)
      // Waiting is FIFO: items only ever join at the tail, so ids ascend.
      check(i.id > lastWaitingId, `waiting out of order at ${i.id}`)
      lastWaitingId = i.id
    }
    for (const i of q.pending) {
      check(!seen.has(i), `item ${i.id} twice`)
      seen.add(i)
      check(status.get(i) === 'pending', `item ${i.id} pending, recorded ${status.get(i)}`)
      check(q.pending.has(i), `item ${i.id} in pending has the wrong list`)
    }
    for (const i of inFlight) {
      check(!seen.has(i), `item ${i.id} in flight and queued`)
      check(status.get(i) === 'inflight', `item ${i.id} in flight, recorded ${status.get(i)}`)
      check(i.list === undefined, `in-flight item ${i.id} still linked`)
    }
    // Each recorded status count matches where the items actually are, so no item sits in two
    // places or in none, and terminal items are nowhere.
    check(counts.waiting === q.waiting.size, 'waiting count mismatch')
    check(counts.pending === q.pending.size, 'pending count mismatch')
    check(counts.inflight === inFlight.size, 'in-flight count mismatch')
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    check(total === nextId - 1 && status.size === nextId - 1, 'an offered item went missing')
  }

  for (step = 0; step < steps; step++) {
    const r = random()
    const waitingBefore = [...q.waiting]
    const pendingBefore = [...q.pending]
    const inFlightBefore = q.inFlight

    if (r < 0.36) {
      const incoming = item(nextId++)
      const hadRoom = waitingBefore.length === 0 && pendingBefore.length < bound()
      const admission = q.offer(incoming)
      op = `offer:${admission.outcome}`
      switch (admission.outcome) {
        case 'pending':
          check(hadRoom, 'admitted without room')
          check(q.pending.lists[1].tail === incoming, 'admitted item is not the pending tail')
          setStatus(incoming, 'pending')
          break
        case 'waiting':
          check(policy === 'block', 'waiting outside block')
          check(!hadRoom, 'made to wait although there was room')
          check(q.waiting.lists[1].tail === incoming, 'waiting item is not the waiting tail')
          setStatus(incoming, 'waiting')
          break
        case 'refused':
          check(policy !== 'block', 'block refused')
          check(!hadRoom, 'refused although there was room')
          if (policy === 'drop-oldest') check(pendingBefore.length === 0, 'refused, not evicted')
          check(incoming.list === undefined, 'refused item is linked')
          check(sameOrder([...q.pending], pendingBefore), 'refusal changed pending')
          setStatus(incoming, 'refused')
          break
        case 'evicted':
          check(policy === 'drop-oldest', 'evicted outside drop-oldest')
          check(!hadRoom, 'evicted although there was room')
          check(admission.evicted === pendingBefore[0], 'evicted is not the oldest pending')
          check(admission.evicted.list === undefined, 'evicted item is still linked')
          check(
            sameOrder([...q.pending], [...pendingBefore.slice(1), incoming]),
            'eviction did not shift + push',
          )
          setStatus(admission.evicted, 'evicted')
          setStatus(incoming, 'pending')
          break
      }
      check(q.inFlight === inFlightBefore, 'offer changed inFlight')
    } else if (r < 0.58) {
      op = 'take'
      const could = pendingBefore.length > 0 && inFlightBefore < maxInFlight
      const taken = q.take()
      if (could) {
        check(taken === pendingBefore[0], 'take did not return the pending head')
        check(!inFlight.has(taken!), 'took an item already in flight')
        inFlight.add(taken!)
        setStatus(taken!, 'inflight')
        check(q.inFlight === inFlightBefore + 1, 'take did not count the item in flight')
      } else {
        op = 'take:none'
        check(taken === undefined, 'take returned an item it may not dispatch')
        check(q.inFlight === inFlightBefore, 'refused take changed inFlight')
      }
      checkPromotions(waitingBefore, could ? pendingBefore.slice(1) : pendingBefore)
    } else if (r < 0.74) {
      op = 'release'
      if (inFlight.size === 0) continue
      const done = pick([...inFlight])
      inFlight.delete(done)
      setStatus(done, 'completed')
      q.release()
      check(q.inFlight === inFlightBefore - 1, 'release did not free a slot')
      checkPromotions(waitingBefore, pendingBefore)
    } else if (r < 0.8) {
      op = 'requeue'
      if (inFlight.size === 0) continue
      const crashed = pick([...inFlight])
      inFlight.delete(crashed)
      q.requeue(crashed)
      setStatus(crashed, 'pending')
      check(q.pending.lists[1].head === crashed, 'requeued item is not the pending head')
      check(q.inFlight === inFlightBefore - 1, 'requeue did not free a slot')
      check(sameOrder([...q.waiting], waitingBefore), 'requeue changed waiting')
    } else if (r < 0.995) {
      const queued = [...waitingBefore, ...pendingBefore]
      op = 'remove'
      if (queued.length === 0) continue
      const cancelled = pick(queued)
      const wasPending = status.get(cancelled) === 'pending'
      op = wasPending ? 'remove:pending' : 'remove:waiting'
      q.remove(cancelled)
      setStatus(cancelled, 'removed')
      check(cancelled.list === undefined, 'removed item is still linked')
      if (wasPending) checkPromotions(waitingBefore, pendingBefore, cancelled)
      else {
        check(
          sameOrder(
            [...q.waiting],
            waitingBefore.filter((i) => i !== cancelled),
          ),
          'waiting removal reordered waiting',
        )
        check(sameOrder([...q.pending], pendingBefore), 'waiting removal changed pending')
      }
    } else {
      op = 'drain'
      const drained = q.drain()
      check(sameOrder(drained, [...pendingBefore, ...waitingBefore]), 'drain order')
      check(q.pending.size === 0 && q.waiting.size === 0, 'drain left items behind')
      for (const i of drained) {
        check(i.list === undefined, `drained item ${i.id} is still linked`)
        setStatus(i, 'drained')
      }
    }
    ops[op] = (ops[op] ?? 0) + 1
    checkInvariants()
  }
  return ops
}

describe('DispatchQueue: randomized invariants', () => {
  const shapes: Array<[maxInFlight: number, maxQueueDepth: number]> = [
    [1, 0],
    [1, 2],
    [3, 0],
    [2, 5],
    [4, 1],
  ]
  const cases = POLICIES.flatMap((policy) =>
    shapes.map(([maxInFlight, maxQueueDepth]) => ({ policy, maxInFlight, maxQueueDepth })),
  )

  it.each(cases)(
    '$policy, maxInFlight $maxInFlight, maxQueueDepth $maxQueueDepth',
    ({ policy, maxInFlight, maxQueueDepth }) => {
      for (const seed of [1, 42, 2024]) {
        const ops = runProperty({ policy, maxInFlight, maxQueueDepth, agingMs: 0 }, seed, 3000)
        // The walk must actually exercise the interesting paths.
        expect(ops['offer:pending']).toBeGreaterThan(0)
        expect(ops.take).toBeGreaterThan(0)
        expect(ops.release).toBeGreaterThan(0)
        expect(ops.requeue).toBeGreaterThan(0)
        expect(ops['remove:pending']).toBeGreaterThan(0)
        expect(ops.drain).toBeGreaterThan(0)
        if (policy === 'block') {
          expect(ops['offer:waiting']).toBeGreaterThan(0)
          expect(ops['remove:waiting']).toBeGreaterThan(0)
        } else if (policy === 'drop-oldest') {
          expect(ops['offer:evicted']).toBeGreaterThan(0)
        } else {
          expect(ops['offer:refused']).toBeGreaterThan(0)
        }
      }
    },
  )
})
