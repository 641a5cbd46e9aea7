/**
 * The lifecycle facts the executor reports on the runtime's event bus. Snapshots, metrics,
 * spans and traces listen to these and nothing else.
 */

import type { Call } from './call.js'
import type { TaskExecutor } from './executor.js'
import type { CallOutcome } from './outcomes.js'
import type { WorkerSlot } from './worker-slot.js'

/** Lifecycle facts, in order of a call's life. Listeners receive the executor's own records. */
export interface ExecutorEvents {
  /** A task was defined (it joins snapshots). */
  defined: [task: TaskExecutor]
  /** Admitted (pending or waiting). Calls refused at admission go straight to `settled`. */
  queued: [task: TaskExecutor, call: Call]
  dispatched: [task: TaskExecutor, call: Call, slot: WorkerSlot<Call>]
  /** Put back in the queue after its worker crashed. */
  requeued: [task: TaskExecutor, call: Call]
  /** The caller's promise settled. `error` is undefined for `ok`. */
  settled: [task: TaskExecutor, call: Call, kind: CallOutcome, error: unknown]
  spawned: [task: TaskExecutor, slot: WorkerSlot<Call>]
  ready: [task: TaskExecutor, slot: WorkerSlot<Call>]
  crashed: [task: TaskExecutor, slot: WorkerSlot<Call>, cause: Error]
  /** A live worker was terminated on purpose (stop, idle, dispose, task failure). */
  terminated: [task: TaskExecutor, slot: WorkerSlot<Call>]
  disposed: [task: TaskExecutor]
  /**
   * What `getState()` reports may have changed. Emitted once at the end of every operation that
   * can change it (a call, a cancel, a worker's answer, a crash, a restart, a stop), after the
   * facts above: snapshots and gauges listen to this one fact and never miss a change.
   */
  changed: [task: TaskExecutor]
}
