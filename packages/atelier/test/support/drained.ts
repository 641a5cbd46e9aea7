import { expect } from 'vitest'
import { executorOf } from '../../src/task'

/** Every per-call structure of the task's executor is empty: nothing in flight, queued or owed. */
export function expectDrained(task: object, label = 'executor entries'): void {
  expect(executorOf(task)!.internalSizes, label).toEqual({
    waiting: 0,
    pending: 0,
    inFlight: 0,
    onSlots: 0,
    readyWaiters: 0,
    deferred: 0,
    unreadChunks: 0,
  })
}
