/** What `task.getState()` and runtime snapshots report. Types only; the executor fills them in. */

import type { QueuePolicy, TaskType } from './options.js'
import type { TaskPriority } from './priority.js'

export type WorkerStatus = 'running' | 'stopped' | 'crashed'
export type TaskStatus = 'idle' | 'active' | 'paused'

export interface CrashRecord {
  /** `Date.now()` of the crash. */
  ts: number
  error: Error
  workerIndex: number
}

export interface TaskState {
  taskId: string
  taskName: string
  type: TaskType
  /** The pool's configured size: the most workers the task runs (equal to `poolSize`). */
  totalWorkers: number
  /** Workers alive (starting or ready). */
  activeWorkers: number
  /** Workers with at least one call on them (a cancelled call still running counts). */
  busyWorkers: number
  /**
   * `running`: some worker is alive. `crashed`: the task failed (see `crashPolicy`), or every
   * worker is waiting out a restart delay. `stopped`: no worker alive.
   */
  workerStatus: WorkerStatus
  /**
   * The task failed (`fail-task`, or `crashMaxRetries` consecutive crashes): calls reject until
   * `startWorkers()`. Tells that apart from a `crashed` status that is only a restart delay.
   */
  failed: boolean
  /** `paused` after `stopWorkers()`; `active` while anything is queued or running. */
  taskStatus: TaskStatus
  lastCrash: CrashRecord | undefined
  /** Calls posted to workers so far (a requeued call counts once per attempt). */
  totalDispatched: number
  poolSize: number
  /** Calls in flight. */
  queueDepth: number
  /** Calls accepted and waiting for a worker. */
  pendingQueueDepth: number
  /** Callers blocked before admission (`block` policy). */
  waitingQueueDepth: number
  /**
   * The most calls its workers may hold now: the app's `maxInFlight`, or when it left that to
   * Atelier, one per worker, or 16 per worker while its calls are short (see `maxInFlight` in `TaskConfig`).
   */
  maxInFlight: number
  maxQueueDepth: number
  queuePolicy: QueuePolicy
  /** Calls on each worker slot, by slot index. */
  queueDepthByWorker: number[]
  /** Pending calls by their priority (their own, before aging). */
  pendingByPriority: Record<TaskPriority, number>
}

export interface RuntimeTaskSnapshot extends TaskState {
  init: 'lazy' | 'eager'
}

export interface RuntimeSnapshot {
  tasks: RuntimeTaskSnapshot[]
}

export interface SnapshotSubscriptionOptions {
  /**
   * At most one snapshot per this many ms. With `onlyOnChange: false`, also the period of
   * unconditional snapshots.
   * @default 250
   */
  intervalMs?: number
  /** Deliver the current snapshot synchronously on subscribing. @default true */
  emitImmediately?: boolean
  /**
   * Deliver only when the runtime's state changed. `false` delivers every `intervalMs`, changed
   * or not (for clocks and charts that scroll).
   * @default true
   */
  onlyOnChange?: boolean
}
