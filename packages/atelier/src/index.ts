export {
  AbortTaskController,
  createAbortTaskController,
} from './abort-task-controller.js'
export type {
  AbortKey,
  InitMode,
  ParallelLimitErrorPolicy,
  ParallelLimitResult,
  RuntimeConfig,
  RuntimeSnapshotSubscriptionOptions,
  SpansConfig,
  TaskHandlerMap,
  TraceContext,
  TraceEndStatus,
  WorkerState,
} from './compat-types.js'
export {
  AbortError,
  QueueDropError,
  TaskDisposedError,
  TimeoutError,
  UnknownMethodError,
  WorkerCrashedError,
} from './errors.js'
export type {
  EventError,
  RuntimeEvent,
  SpanErrorKind,
  SpanEvent,
  SpanStatus,
  TraceEvent,
} from './events.js'
export {
  createTaskWorker,
  type HarnessEndpoint,
  serve,
  type TaskHandlers,
  type TaskWorker,
} from './harness.js'
export { METRICS, type MetricAttributes, type MetricEvent, type MetricName } from './metrics.js'
export type { ObservabilityConfig, SpansMode } from './observability.js'
export type {
  BalancerName,
  CrashPolicy,
  KeyFunction,
  KeyOf,
  MethodArgs,
  QueuePolicy,
  TaskConfig,
  TaskDispatchOptions,
  TaskType,
} from './options.js'
export {
  type CallOutcome,
  OUTCOMES,
  type OutcomeInfo,
  outcomeOfError,
} from './outcomes.js'
export {
  type ErrorPolicy,
  type ParallelLimitOptions,
  type ParallelLimitSettledOptions,
  type ParallelSettled,
  parallelLimit,
} from './parallel-limit.js'
export type { TaskRuntime, TaskRuntimeConfig } from './runtime.js'
export { createTaskRuntime } from './runtime.js'
export type {
  RuntimeSnapshot,
  RuntimeTaskSnapshot,
  SnapshotSubscriptionOptions,
} from './snapshots.js'
export type { Task, TaskControls, TaskMethods } from './task.js'
export type { StripTaskContext, TaskContext } from './task-context.js'
export type { CrashRecord, TaskState, TaskStatus, WorkerStatus } from './task-state.js'
export type { Trace, TraceEndOptions } from './trace.js'
export type { WorkerLike } from './worker-slot.js'
export { yieldAsCompleted } from './yield-as-completed.js'
