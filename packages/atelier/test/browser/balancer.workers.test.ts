import { describe, expect, test } from 'vitest'
import { define } from './fixtures/define'
import { gate, release, started } from './fixtures/harness'

describe('worker choice', () => {
  test('least-busy sends the next call to the worker with the least work', async () => {
    const { task } = define({ poolSize: 2, maxInFlight: 4, maxQueueDepth: 4 })
    await task.startWorkers()
    const [a, b, c] = [gate('a'), gate('b'), gate('c')]
    const calls = [task.hold(a), task.hold(b)]
    const [wa, wb] = await Promise.all([started(a), started(b)])
    expect(new Set([wa, wb])).toEqual(new Set(['0', '1']))
    // Free worker a; the next call must go there, not round-robin onto b's busy worker.
    release(a)
    await calls[0]
    calls.push(task.hold(c))
    expect(await started(c)).toBe(wa)
    release(b)
    release(c)
    await Promise.all(calls)
  })

  test('round-robin takes turns even when the next worker is the busy one', async () => {
    const { task } = define({
      poolSize: 2,
      maxInFlight: 4,
      maxQueueDepth: 4,
      balancer: 'round-robin',
    })
    await task.startWorkers()
    const [a, b, c] = [gate('a'), gate('b'), gate('c')]
    const calls = [task.hold(a), task.hold(b)]
    const [wa] = await Promise.all([started(a), started(b)])
    // b's worker is now free and a's is busy; it is a's turn all the same.
    release(b)
    await calls[1]
    calls.push(task.hold(c))
    expect(await started(c)).toBe(wa)
    release(a)
    release(c)
    await Promise.all(calls)
  })
})
