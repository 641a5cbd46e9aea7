import { describe, expect, test } from 'vitest'
import { QueueDropError } from '../../src/index'
import { define, outcome } from './fixtures/define'
import { gate, hasStarted, release, started, tick } from './fixtures/harness'

/** One worker, one call at a time, one pending place: the smallest queue that shows a policy. */
function tiny(queuePolicy: 'block' | 'reject' | 'drop-latest' | 'drop-oldest') {
  return define({ type: 'singleton', maxInFlight: 1, maxQueueDepth: 1, queuePolicy })
}

describe('dispatch queue', () => {
  test('calls move waiting → pending → in flight under block, in FIFO order', async () => {
    const { task } = tiny('block')
    const [a, b, c, d] = [gate('a'), gate('b'), gate('c'), gate('d')]
    const order: string[] = []
    const calls = [a, b, c, d].map((g) => task.hold(g).then(() => order.push(g)))
    await started(a)
    expect(task.getState()).toMatchObject({
      queueDepth: 1,
      pendingQueueDepth: 1,
      waitingQueueDepth: 2,
      taskStatus: 'active',
    })
    release(a)
    await started(b)
    expect(task.getState()).toMatchObject({
      queueDepth: 1,
      pendingQueueDepth: 1,
      waitingQueueDepth: 1,
    })
    release(b)
    release(c)
    release(d)
    await Promise.all(calls)
    expect(order).toEqual([a, b, c, d])
    expect(task.getState()).toMatchObject({
      queueDepth: 0,
      pendingQueueDepth: 0,
      waitingQueueDepth: 0,
      taskStatus: 'idle',
    })
  })

  test.each(['reject', 'drop-latest'] as const)(
    '%s refuses the incoming call when pending is full',
    async (policy) => {
      const { task } = tiny(policy)
      const [a, b] = [gate('a'), gate('b')]
      const first = task.hold(a)
      const second = task.hold(b)
      const third = outcome(task.add(1, 2))
      const refused = await third
      expect(refused.ok).toBe(false)
      expect(refused.ok === false && refused.error).toBeInstanceOf(QueueDropError)
      expect(refused.ok === false && refused.error.policy).toBe(policy)
      // Release only once started: the worker's gate channel may not exist before.
      await started(a)
      expect(task.getState()).toMatchObject({
        queueDepth: 1,
        pendingQueueDepth: 1,
        waitingQueueDepth: 0,
      })
      release(a)
      await started(b)
      release(b)
      await expect(first).resolves.toBeUndefined()
      await expect(second).resolves.toBeUndefined()
      // Room again: the next call is accepted.
      await expect(task.add(2, 2)).resolves.toBe(4)
    },
  )

  test('drop-oldest evicts the oldest pending call to admit the new one', async () => {
    const { task } = tiny('drop-oldest')
    const [a, b, c] = [gate('a'), gate('b'), gate('c')]
    const first = task.hold(a)
    await started(a)
    const evicted = outcome(task.hold(b))
    const newest = task.hold(c)
    const result = await evicted
    expect(result.ok === false && result.error).toBeInstanceOf(QueueDropError)
    expect(result.ok === false && result.error.policy).toBe('drop-oldest')
    release(a)
    release(c)
    await first
    await expect(newest).resolves.toBeUndefined()
    // The evicted call never reached the worker: the next call ran after the newest one.
    await tick(20)
    expect(hasStarted(b)).toBe(false)
  })

  test('maxInFlight bounds calls across the pool; the rest wait in order', async () => {
    const { task } = define({ poolSize: 2, maxInFlight: 2, maxQueueDepth: 10 })
    const gates = Array.from({ length: 5 }, () => gate('p'))
    const calls = gates.map((g) => task.hold(g))
    await Promise.all([started(gates[0]!), started(gates[1]!)])
    expect(task.getState()).toMatchObject({ queueDepth: 2, pendingQueueDepth: 3, busyWorkers: 2 })
    expect(task.getState().queueDepthByWorker).toEqual([1, 1])
    for (const g of gates) release(g)
    await Promise.all(calls)
    expect(task.getState().totalDispatched).toBe(5)
  })
})
