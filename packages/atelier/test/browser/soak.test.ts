/**
 * Fault-injection soak: a pool of 2, thousands of calls, workers crashing at random in a few
 * percent of them. Every call must settle exactly once, correctly, and leave nothing behind.
 * `npm run soak` runs a larger size (VITE_SOAK_CALLS).
 */
import { describe, expect, test } from 'vitest'
import { type Task, WorkerCrashedError } from '../../src/index'
import { settleCounter } from '../support/async'
import { expectDrained } from '../support/drained'
import { define } from './fixtures/define'
import type { TestAPI } from './fixtures/test.worker'

const CALLS = Number(import.meta.env.VITE_SOAK_CALLS ?? 1500)
const CRASH_RATE = 0.03

function expectQuiet(task: Task<TestAPI>) {
  expectDrained(task)
  expect(task.getState()).toMatchObject({
    queueDepth: 0,
    pendingQueueDepth: 0,
    waitingQueueDepth: 0,
  })
}

describe(`soak: ${CALLS} calls, ${CRASH_RATE * 100}% crash`, () => {
  test('restart-requeue-in-flight: every call resolves with its own value', async () => {
    const { task } = define({
      poolSize: 2,
      maxInFlight: 4,
      maxQueueDepth: 64,
      crashPolicy: 'restart-requeue-in-flight',
      // Random crashes can hit a replay too; give each call room for bad luck.
      crashMaxRetries: 12,
    })
    const calls = Array.from({ length: CALLS }, (_, i) =>
      settleCounter(task.maybeCrash(i, CRASH_RATE)),
    )
    const results = await Promise.all(calls.map((c) => c.result))
    for (const [i, result] of results.entries()) {
      expect(result, `call ${i}`).toEqual({ ok: true, value: i * 2 })
    }
    expect(calls.every((c) => c.count() === 1)).toBe(true)
    expect(task.getState().lastCrash).toBeDefined()
    expectQuiet(task)
  }, 180_000)

  test('restart-fail-in-flight: every call resolves correctly or fails with WorkerCrashedError', async () => {
    const { task } = define({
      poolSize: 2,
      maxInFlight: 4,
      maxQueueDepth: 64,
      crashPolicy: 'restart-fail-in-flight',
      crashMaxRetries: 12,
    })
    const calls = Array.from({ length: CALLS }, (_, i) =>
      settleCounter(task.maybeCrash(i, CRASH_RATE)),
    )
    const results = await Promise.all(calls.map((c) => c.result))
    let crashed = 0
    results.forEach((result, i) => {
      if (result.ok) expect(result.value, `call ${i}`).toBe(i * 2)
      else {
        crashed++
        expect(result.error, `call ${i}`).toBeInstanceOf(WorkerCrashedError)
      }
    })
    expect(crashed).toBeGreaterThan(0)
    expect(calls.every((c) => c.count() === 1)).toBe(true)
    expectQuiet(task)
  }, 180_000)
})
