/**
 * The work of every Node contender's worker: the browser suite's `echo`, and `thread`, which
 * `start()` uses to know that each worker of a pool has loaded and answered.
 */
import { threadId } from 'node:worker_threads'
import { spin } from '../../app/workers/ops'

export { echo } from '../../app/workers/ops'

/**
 * Keeps the thread busy for `ms` (so calls made together land on different workers), then
 * returns its `threadId`.
 */
export function thread(ms: number): number {
  spin(ms)
  return threadId
}
