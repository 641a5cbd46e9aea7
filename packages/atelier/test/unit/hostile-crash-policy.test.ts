/**
 * Crash rules (`crash-policy.ts`) on their own: what a crash means for the task and whether an
 * interrupted call runs again, including at the edges (no retries, absurd streaks).
 */
import { describe, expect, it } from 'vitest'
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS } from '../../src/engine/backoff.js'
import { type CrashRules, judgeCrash, mayRequeue } from '../../src/engine/crash-policy.js'
import { MAX_TIMER_MS } from '../../src/options.js'

const rules = (crashPolicy: CrashRules['crashPolicy'], crashMaxRetries = 3): CrashRules => ({
  crashPolicy,
  crashMaxRetries,
})

describe('judgeCrash', () => {
  it('fail-task fails on the first crash, with no reason of its own', () => {
    expect(judgeCrash(rules('fail-task'), 1, 1)).toEqual({ kind: 'fail', reason: undefined })
    expect(judgeCrash(rules('fail-task', 100), 1, 1)).toEqual({ kind: 'fail', reason: undefined })
  })

  it.each(['restart-fail-in-flight', 'restart-requeue-in-flight'] as const)(
    '%s restarts until the task streak passes crashMaxRetries, then fails saying why',
    (policy) => {
      for (let streak = 1; streak <= 3; streak++) {
        expect(judgeCrash(rules(policy, 3), streak, streak).kind).toBe('restart')
      }
      const verdict = judgeCrash(rules(policy, 3), 4, 4)
      expect(verdict.kind).toBe('fail')
      expect(verdict.kind === 'fail' && verdict.reason).toBe(
        'its workers crashed 4 times in a row (crashMaxRetries is 3)',
      )
    },
  )

  it('crashMaxRetries 0 fails the task on the first crash', () => {
    expect(judgeCrash(rules('restart-fail-in-flight', 0), 1, 1).kind).toBe('fail')
  })

  it('the restart delay follows the slot streak, not the task streak', () => {
    expect(judgeCrash(rules('restart-fail-in-flight', 10), 5, 1)).toEqual({
      kind: 'restart',
      delayMs: BACKOFF_BASE_MS,
    })
    expect(judgeCrash(rules('restart-fail-in-flight', 10), 5, 2)).toEqual({
      kind: 'restart',
      delayMs: 2 * BACKOFF_BASE_MS,
    })
  })

  it('an absurd streak still gives a delay a timer can hold: finite, capped, never NaN', () => {
    for (const streak of [6, 64, 1024, 1e6, Number.MAX_SAFE_INTEGER]) {
      const verdict = judgeCrash(
        rules('restart-fail-in-flight', Number.MAX_SAFE_INTEGER),
        1,
        streak,
      )
      expect(verdict).toEqual({ kind: 'restart', delayMs: BACKOFF_MAX_MS })
      expect(BACKOFF_MAX_MS).toBeLessThanOrEqual(MAX_TIMER_MS)
    }
  })
})

describe('mayRequeue', () => {
  it('only restart-requeue-in-flight replays a call', () => {
    expect(mayRequeue(rules('restart-requeue-in-flight'), 1, false)).toBe(true)
    expect(mayRequeue(rules('restart-fail-in-flight'), 1, false)).toBe(false)
    expect(mayRequeue(rules('fail-task'), 1, false)).toBe(false)
  })

  it('at most crashMaxRetries attempts after the first', () => {
    const requeue = rules('restart-requeue-in-flight', 2)
    expect([1, 2, 3].map((attempts) => mayRequeue(requeue, attempts, false))).toEqual([
      true,
      true,
      false,
    ])
    expect(mayRequeue(rules('restart-requeue-in-flight', 0), 1, false)).toBe(false)
  })

  it('never a call whose arguments were transferred: they went down with the worker', () => {
    expect(mayRequeue(rules('restart-requeue-in-flight', 100), 1, true)).toBe(false)
  })
})
