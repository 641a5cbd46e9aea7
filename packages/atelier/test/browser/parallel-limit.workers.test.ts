import { describe, expect, test } from 'vitest'
import { parallelLimit } from '../../src/index'
import { define } from './fixtures/define'

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
})
