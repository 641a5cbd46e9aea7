import { describe, expect, test } from 'vitest'
import { AbortError, parallelLimit } from '../../src/index'
import { define } from './fixtures/define'
import { aborted, gate, release, started } from './fixtures/harness'

async function collect<X>(iterable: AsyncIterable<X>): Promise<X[]> {
  const out: X[] = []
  for await (const x of iterable) out.push(x)
  return out
}

describe('parallelLimit with real tasks', () => {
  test('a two-stage pipeline never has more than `limit` items in progress', async () => {
    const { task } = define({ poolSize: 2, maxQueueDepth: 64 })
    let inProgress = 0
    let peak = 0
    let pulled = 0
    function* items() {
      for (let i = 0; i < 20; i++) {
        pulled++
        yield i
      }
    }
    const results: number[] = []
    for await (const value of parallelLimit(items(), 3, async (n) => {
      inProgress++
      peak = Math.max(peak, inProgress)
      const doubled = await task.add(n, n)
      const plusOne = await task.add(doubled, 1)
      inProgress--
      return plusOne
    })) {
      results.push(value)
      // Lazy: the source is never far ahead of what has been consumed.
      expect(pulled - results.length).toBeLessThanOrEqual(3)
    }
    expect(peak).toBeLessThanOrEqual(3)
    expect(peak).toBeGreaterThan(1)
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1))
  })

  test('keyed items whose key is aborted are skipped and their aborts are not errors', async () => {
    const { task, runtime } = define({ poolSize: 2, keyOf: (a: number) => `doc-${a % 2}` })
    runtime.abortTaskController.abort('doc-1')
    const results: number[] = []
    for await (const value of parallelLimit([0, 1, 2, 3, 4, 5], 2, (n) => task.add(n, 0), {
      abortTaskController: runtime.abortTaskController,
      keyOf: (n) => `doc-${n % 2}`,
    })) {
      results.push(value)
    }
    expect(results.sort()).toEqual([0, 2, 4])
  })

  test('with a signal given, a call cancelled in its worker is skipped, not thrown', async () => {
    // The task keys each call by its gate; parallelLimit is told nothing about keys.
    const { task, runtime } = define({ poolSize: 2, keyOf: (g: string) => g })
    const [cancelled, kept] = [gate('cancelled'), gate('kept')]
    const results = collect(
      parallelLimit([cancelled, kept], 2, (g) => task.hold(g), {
        signal: new AbortController().signal,
      }),
    )
    await Promise.all([started(cancelled), started(kept)])
    runtime.abortTaskController.abort(cancelled)
    expect(await aborted(cancelled)).toBe('AbortError') // the handler really was cancelled
    release(kept, 'kept')
    expect(await results).toEqual(['kept'])
  })

  test('without cancellation options the same cancellation is a failure', async () => {
    const { task, runtime } = define({ poolSize: 2, keyOf: (g: string) => g })
    const [cancelled, kept] = [gate('cancelled'), gate('kept')]
    const results = collect(parallelLimit([cancelled, kept], 2, (g) => task.hold(g)))
    await Promise.all([started(cancelled), started(kept)])
    runtime.abortTaskController.abort(cancelled)
    await expect(results).rejects.toBeInstanceOf(AbortError)
    release(kept)
  })
})
