/**
 * Type names exported by `@varunkanwar/atelier` that Atelier documents under other names. Each
 * is an alias, so code written against that package compiles after changing its import alone.
 * Types only: nothing here exists at run time.
 */

import type { Trace, TraceEndOptions } from './events.js'
import type { ObservabilityConfig, TaskConfig, TaskRuntimeConfig } from './options.js'
import type { ErrorPolicy, ParallelSettled } from './parallel-limit.js'
import type { TaskHandlers } from './task-context.js'
import type { SnapshotSubscriptionOptions, TaskState } from './task-state.js'

/** A cancellation key of the {@link AbortTaskController}: any string. */
export type AbortKey = string

/** `'lazy'` or `'eager'`: the `init` option of a task. */
export type InitMode = NonNullable<TaskConfig['init']>

/** `'fail-fast'` or `'continue'`: the same as {@link ErrorPolicy}. */
export type ParallelLimitErrorPolicy = ErrorPolicy

/**
 * A settled record yielded by `parallelLimit(…, { returnSettled: true })`: {@link ParallelSettled}
 * with its type parameters in the model's order (result first, item second).
 */
export type ParallelLimitResult<R, T = unknown> = ParallelSettled<T, R>

/** The argument of `createTaskRuntime`: the same as {@link TaskRuntimeConfig}. */
export type RuntimeConfig = TaskRuntimeConfig

/** The options of `subscribeRuntimeSnapshot`: the same as {@link SnapshotSubscriptionOptions}. */
export type RuntimeSnapshotSubscriptionOptions = SnapshotSubscriptionOptions

/** The `observability.spans` option: a mode, or `{ mode, sampleRate }`. */
export type SpansConfig = NonNullable<ObservabilityConfig['spans']>

/** A worker's handler object, for `serve` and `createTaskWorker`: the same as {@link TaskHandlers}. */
export type TaskHandlerMap = TaskHandlers

/** What `runtime.createTrace()` returns: the same as {@link Trace}. */
export type TraceContext = Trace

/** `'ok'`, `'error'` or `'canceled'`: the `status` a trace ends with. */
export type TraceEndStatus = NonNullable<TraceEndOptions['status']>

/** What `task.getState()` returns: the same as {@link TaskState}. */
export type WorkerState = TaskState
