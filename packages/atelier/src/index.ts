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
  Trace,
  TraceEndOptions,
  TraceEvent,
} from './events.js'
export {
  createTaskWorker,
  type HarnessEndpoint,
  serve,
  type TaskWorker,
} from './harness/serve.js'
export { METRICS, type MetricAttributes, type MetricEvent, type MetricName } from './metrics.js'
export type {
  BalancerName,
  CrashPolicy,
  KeyFunction,
  KeyOf,
  MethodArgs,
  NodeWorkerLike,
  ObservabilityConfig,
  QueuePolicy,
  SpansMode,
  TaskConfig,
  TaskDispatchOptions,
  TaskPriority,
  TaskRuntimeConfig,
  TaskType,
  WorkerLike,
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
export type { TaskRuntime } from './runtime.js'
export { createTaskRuntime } from './runtime.js'
export type { Task, TaskControls, TaskMethods } from './task.js'
export type { StripTaskContext, TaskContext, TaskHandlers, TaskStream } from './task-context.js'
export type {
  CrashRecord,
  RuntimeSnapshot,
  RuntimeTaskSnapshot,
  SnapshotSubscriptionOptions,
  TaskState,
  TaskStatus,
  WorkerStatus,
} from './task-state.js'
export { yieldAsCompleted } from './yield-as-completed.js'
