/**
 * Every name `@varunkanwar/atelier` exports, imported from our entry: removing or renaming one
 * fails the typecheck. The model's internal engine classes (`DispatchQueue`, `WorkerPool`,
 * `SingletonWorker`, marked `@internal` there) are deliberately not provided; see the README's
 * migration section.
 */
import { describe, expectTypeOf, it } from 'vitest'
import {
  type AbortKey,
  type AbortTaskController,
  type CrashPolicy,
  createTaskRuntime,
  createTaskWorker,
  type InitMode,
  type MetricEvent,
  type ObservabilityConfig,
  type ParallelLimitErrorPolicy,
  type ParallelLimitOptions,
  type ParallelLimitResult,
  type ParallelLimitSettledOptions,
  type ParallelSettled,
  parallelLimit,
  type QueuePolicy,
  type RuntimeConfig,
  type RuntimeEvent,
  type RuntimeSnapshot,
  type RuntimeSnapshotSubscriptionOptions,
  type RuntimeTaskSnapshot,
  type SpanErrorKind,
  type SpanEvent,
  type SpanStatus,
  type SpansConfig,
  type StripTaskContext,
  type Task,
  type TaskConfig,
  type TaskContext,
  type TaskDispatchOptions,
  type TaskHandlerMap,
  type TaskRuntime,
  type TaskState,
  type TaskType,
  type Trace,
  type TraceContext,
  type TraceEndOptions,
  type TraceEndStatus,
  type TraceEvent,
  WorkerCrashedError,
  type WorkerState,
  yieldAsCompleted,
} from '../../src/index'
import {
  type TaskContext as ContextFromWorkerEntry,
  createTaskWorker as createTaskWorkerFromWorkerEntry,
  type StripTaskContext as StripFromWorkerEntry,
} from '../../src/worker'

describe('the names of @varunkanwar/atelier', () => {
  it('exports its values', () => {
    expectTypeOf(createTaskRuntime).toBeFunction()
    expectTypeOf(createTaskWorker).toBeFunction()
    expectTypeOf(parallelLimit).toBeFunction()
    expectTypeOf(yieldAsCompleted).toBeFunction()
    expectTypeOf(WorkerCrashedError).toBeConstructibleWith('task-1', 0)
  })

  it('exports the worker-side names from the main entry as well as from the worker entry', () => {
    expectTypeOf(createTaskWorker).toEqualTypeOf(createTaskWorkerFromWorkerEntry)
    expectTypeOf<TaskContext>().toEqualTypeOf<ContextFromWorkerEntry>()
    expectTypeOf<StripTaskContext<{ f(ctx: TaskContext): 1 }>>().toEqualTypeOf<
      StripFromWorkerEntry<{ f(ctx: TaskContext): 1 }>
    >()
  })

  it('keeps the names that are aliases of ours, each meaning what it meant there', () => {
    expectTypeOf<AbortKey>().toEqualTypeOf<string>()
    expectTypeOf<InitMode>().toEqualTypeOf<'lazy' | 'eager'>()
    expectTypeOf<ParallelLimitErrorPolicy>().toEqualTypeOf<'fail-fast' | 'continue'>()
    expectTypeOf<ParallelLimitResult<string, number>>().toEqualTypeOf<
      ParallelSettled<number, string>
    >()
    expectTypeOf<RuntimeConfig>().toEqualTypeOf<{ observability?: ObservabilityConfig }>()
    expectTypeOf<RuntimeSnapshotSubscriptionOptions>().toEqualTypeOf<{
      intervalMs?: number
      emitImmediately?: boolean
      onlyOnChange?: boolean
    }>()
    expectTypeOf<'auto'>().toExtend<SpansConfig>()
    expectTypeOf<{ mode: 'on'; sampleRate: number }>().toExtend<SpansConfig>()
    expectTypeOf<TaskHandlerMap>().toEqualTypeOf<Record<string, (...args: any[]) => unknown>>()
    expectTypeOf<TraceContext>().toEqualTypeOf<Trace>()
    expectTypeOf<TraceEndStatus>().toEqualTypeOf<'ok' | 'error' | 'canceled'>()
    expectTypeOf<WorkerState>().toEqualTypeOf<TaskState>()
  })

  it('keeps the names it shares with ours', () => {
    expectTypeOf<TaskType>().toEqualTypeOf<'parallel' | 'singleton'>()
    expectTypeOf<QueuePolicy>().toEqualTypeOf<'block' | 'reject' | 'drop-latest' | 'drop-oldest'>()
    expectTypeOf<CrashPolicy>().toEqualTypeOf<
      'restart-fail-in-flight' | 'restart-requeue-in-flight' | 'fail-task'
    >()
    expectTypeOf<SpanStatus>().toEqualTypeOf<'ok' | 'error' | 'canceled'>()
    expectTypeOf<'abort' | 'queue' | 'crash' | 'exception'>().toExtend<SpanErrorKind>()
    expectTypeOf<RuntimeEvent>().toEqualTypeOf<MetricEvent | SpanEvent | TraceEvent>()
    expectTypeOf<RuntimeTaskSnapshot>().toExtend<WorkerState>()
    expectTypeOf<RuntimeSnapshot['tasks']>().toEqualTypeOf<RuntimeTaskSnapshot[]>()
    expectTypeOf<TraceEndOptions['status']>().toEqualTypeOf<TraceEndStatus | undefined>()
    expectTypeOf<TaskDispatchOptions['trace']>().toEqualTypeOf<TraceContext | undefined>()
    expectTypeOf<TaskRuntime['abortTaskController']>().toEqualTypeOf<AbortTaskController>()
    expectTypeOf<TaskConfig['init']>().toEqualTypeOf<InitMode | undefined>()
  })

  it('compiles code written against the model', () => {
    type ResizeAPI = { process(image: Uint8Array): Promise<Uint8Array> }
    const config: RuntimeConfig = { observability: { spans: { mode: 'auto', sampleRate: 1 } } }
    const runtime: TaskRuntime = createTaskRuntime(config)
    const resize: Task<ResizeAPI> = runtime.defineTask<ResizeAPI>({
      type: 'parallel',
      worker: () => new Worker('resize.worker.js'),
      init: 'lazy' satisfies InitMode,
    })
    const state: WorkerState = resize.getState()
    expectTypeOf(state.totalWorkers).toEqualTypeOf<number>()
    const trace: TraceContext = runtime.createTrace('doc')
    trace.end({ status: 'ok' satisfies TraceEndStatus })
    const snapshotOptions: RuntimeSnapshotSubscriptionOptions = { intervalMs: 100 }
    runtime.subscribeRuntimeSnapshot(() => {}, snapshotOptions)

    const key: AbortKey = 'doc-1'
    const options: ParallelLimitOptions<string> = {
      abortTaskController: runtime.abortTaskController,
      keyOf: (id) => id,
      errorPolicy: 'continue' satisfies ParallelLimitErrorPolicy,
    }
    expectTypeOf(parallelLimit([key], 2, async (id) => id.length, options)).toEqualTypeOf<
      AsyncGenerator<number, void, undefined>
    >()
    const settled: ParallelLimitSettledOptions<string> = { returnSettled: true }
    expectTypeOf(parallelLimit([key], 2, async (id) => id.length, settled)).toEqualTypeOf<
      AsyncGenerator<ParallelLimitResult<number, string>, void, undefined>
    >()
    expectTypeOf(yieldAsCompleted([resize.process(new Uint8Array(1))])).toEqualTypeOf<
      AsyncGenerator<Uint8Array, void, unknown>
    >()

    const handlers = {
      async process(image: Uint8Array, ctx: TaskContext) {
        ctx.throwIfAborted()
        return image
      },
    } satisfies TaskHandlerMap
    expectTypeOf<StripTaskContext<typeof handlers>['process']>().toEqualTypeOf<
      (image: Uint8Array) => Promise<Uint8Array>
    >()
    createTaskWorker(handlers)
  })
})
