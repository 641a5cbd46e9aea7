/**
 * The lifecycle facts the engine reports on the runtime's event bus, and what a listener may read
 * of the records they carry. Snapshots, metrics, spans and traces are written against these
 * interfaces, never against the engine's classes: they can read a task, a call or a worker slot,
 * not drive one.
 */

import type { ResolvedTaskConfig, TraceRef } from './options.js'
import type { CallOutcome } from './outcomes.js'
import type { TaskState } from './task-state.js'

/** Queue depths and worker counts, cheap to read (for gauges). */
export interface TaskDepths {
  inFlight: number
  pending: number
  waiting: number
  liveWorkers: number
  busyWorkers: number
}

/** A task, as listeners see it. */
export interface TaskFacts {
  readonly config: Readonly<ResolvedTaskConfig>
  readonly depths: TaskDepths
  getState(): TaskState
}

/** A call, as listeners see it. Times are `performance.now()`. */
export interface CallFacts {
  /** The id of its latest attempt (a call posted again takes a new one). */
  readonly id: number
  readonly method: string
  /** Times it was posted to a worker. */
  readonly attempts: number
  /** The slot of its latest dispatch; -1 if it never reached one. */
  readonly workerIndex: number
  readonly createdAt: number
  readonly enqueuedAt: number
  readonly firstDispatchedAt: number
  readonly dispatchedAt: number
  /** When it settled: set for listeners of the `settled` fact, before they hear it. */
  readonly settledAt: number
  readonly trace: TraceRef | undefined
  /** Its W3C trace and span ids, when it carries a trace context (see `TaskContext.traceparent`). */
  readonly traceId: string | undefined
  readonly spanId: string | undefined
  /** The caller's OpenTelemetry span id, when the call was made inside one, and its sampling. */
  readonly parentSpanId: string | undefined
  readonly parentSampled: boolean | undefined
  /** Its priority level when it settled: 0 `user-blocking`, 1 `user-visible`, 2 `background`. */
  readonly priority: 0 | 1 | 2
  /** Known to stream (its handler is a generator); `chunks` counts what it sent. */
  readonly streamed: boolean
  readonly chunks: number
  /** When its first chunk arrived; 0 before. */
  readonly firstChunkAt: number
}

/** A place in a task's pool, as listeners see it. */
export interface SlotFacts {
  readonly index: number
}

/** Lifecycle facts, in order of a call's life. */
export interface ExecutorEvents {
  /** A task was defined (it joins snapshots). */
  defined: [task: TaskFacts]
  /** Admitted (pending or waiting). Calls refused at admission go straight to `settled`. */
  queued: [task: TaskFacts, call: CallFacts]
  dispatched: [task: TaskFacts, call: CallFacts, slot: SlotFacts]
  /** Put back in the queue after its worker crashed or was stopped. */
  requeued: [task: TaskFacts, call: CallFacts]
  /** The caller's promise settled. `error` is undefined for `ok`. */
  settled: [task: TaskFacts, call: CallFacts, kind: CallOutcome, error: unknown]
  spawned: [task: TaskFacts, slot: SlotFacts]
  ready: [task: TaskFacts, slot: SlotFacts]
  crashed: [task: TaskFacts, slot: SlotFacts, cause: Error]
  /** A live worker was terminated on purpose (stop, idle, dispose, task failure). */
  terminated: [task: TaskFacts, slot: SlotFacts]
  disposed: [task: TaskFacts]
  /**
   * What `getState()` reports may have changed. Emitted once at the end of every operation that
   * can change it (a call, a cancel, a worker's answer, a crash, a restart, a stop), after the
   * facts above: snapshots and gauges listen to this one fact and never miss a change.
   */
  changed: [task: TaskFacts]
}

/** Where facts can be heard: the runtime's event bus, as its listeners hold it. */
export interface FactSource<Events extends { [K in keyof Events]: unknown[] }> {
  on<K extends keyof Events>(type: K, listener: (...args: Events[K]) => void): () => void
}
