/** What `getState()` and the gauges report, read off the queue and the pool. */

import type { TaskDepths } from '../facts.js'
import type { ResolvedTaskConfig } from '../options.js'
import type { CrashRecord, TaskState } from '../task-state.js'
import type { Call } from './call.js'
import type { DispatchQueue } from './dispatch-queue.js'
import type { Pool, PoolCounts } from './pool.js'
import type { Prioritized } from './priority-lists.js'

/** What only the executor knows. */
export interface ExecutorStatus {
  failed: boolean
  paused: boolean
  idle: boolean
  lastCrash: CrashRecord | undefined
  totalDispatched: number
}

export function describeState<T extends Prioritized<T>>(
  config: ResolvedTaskConfig,
  queue: DispatchQueue<T>,
  { live, busy, backingOff, loads }: PoolCounts,
  status: ExecutorStatus,
): TaskState {
  return {
    taskId: config.taskId,
    taskName: config.taskName,
    type: config.type,
    totalWorkers: config.poolSize,
    activeWorkers: live,
    busyWorkers: busy,
    // Crashed: the task failed, or every worker is waiting out a restart delay.
    workerStatus:
      status.failed || (live === 0 && backingOff) ? 'crashed' : live > 0 ? 'running' : 'stopped',
    failed: status.failed,
    taskStatus: status.paused ? 'paused' : status.idle ? 'idle' : 'active',
    lastCrash: status.lastCrash,
    totalDispatched: status.totalDispatched,
    poolSize: config.poolSize,
    queueDepth: queue.inFlight,
    pendingQueueDepth: queue.pending.size,
    waitingQueueDepth: queue.waiting.size,
    maxInFlight: queue.limits.maxInFlight,
    maxQueueDepth: config.maxQueueDepth,
    queuePolicy: config.queuePolicy,
    queueDepthByWorker: loads,
    pendingByPriority: {
      'user-blocking': queue.pending.lists[0].size,
      'user-visible': queue.pending.lists[1].size,
      background: queue.pending.lists[2].size,
    },
  }
}

export function describeDepths<T extends Prioritized<T>>(
  queue: DispatchQueue<T>,
  { live, busy }: PoolCounts,
): TaskDepths {
  return {
    inFlight: queue.inFlight,
    pending: queue.pending.size,
    waiting: queue.waiting.size,
    liveWorkers: live,
    busyWorkers: busy,
  }
}

/** Entry counts of every per-call structure, for leak tests. `deferred`: queued operations. */
export function describeSizes(queue: DispatchQueue<Call>, pool: Pool<Call>, deferred: number) {
  const { waiting, pending, inFlight } = describeDepths(queue, pool.counts())
  let onSlots = 0
  let unreadChunks = 0
  for (const slot of pool.slots) {
    onSlots += slot.calls.size
    for (const call of slot.calls.values()) unreadChunks += call.sink?.unread ?? 0
  }
  const readyWaiters = pool.waiterCount
  return { waiting, pending, inFlight, onSlots, readyWaiters, deferred, unreadChunks }
}
