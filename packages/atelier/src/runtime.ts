/**
 * `createTaskRuntime()`: an isolated set of tasks sharing one abort controller and one event
 * bus. Two runtimes never see each other's tasks, keys or events.
 */

import { AbortTaskController } from './abort-task-controller.js'
import { describe } from './describe.js'
import { EventBus } from './engine/event-bus.js'
import { TaskExecutor } from './engine/executor.js'
import type { RuntimeEvent, Trace } from './events.js'
import type { ExecutorEvents } from './facts.js'
import { createObservability } from './observability/observability.js'
import { subscribeRuntimeSnapshot } from './observability/snapshots.js'
import {
  readOptions,
  resolveTaskConfig,
  type TaskConfig,
  type TaskRuntimeConfig,
} from './options.js'
import { createTask, type Task } from './task.js'
import type {
  RuntimeSnapshot,
  RuntimeTaskSnapshot,
  SnapshotSubscriptionOptions,
} from './task-state.js'

const RUNTIME_OPTIONS: ReadonlySet<string> = new Set(['observability'])

export interface TaskRuntime {
  /** Defines a task. Throws `TypeError`/`RangeError` naming any invalid option. */
  defineTask<T>(config: TaskConfig<T>): Task<T>
  /** Cancels calls by key across this runtime's tasks. */
  readonly abortTaskController: AbortTaskController
  /** Every live task's state. Disposed tasks leave it. */
  getRuntimeSnapshot(): RuntimeSnapshot
  /** Pushes snapshots as the runtime changes. Returns the unsubscribe function. */
  subscribeRuntimeSnapshot(
    listener: (snapshot: RuntimeSnapshot) => void,
    options?: SnapshotSubscriptionOptions,
  ): () => void
  /** Metrics, spans and traces. Returns the unsubscribe function. */
  subscribeEvents(listener: (event: RuntimeEvent) => void): () => void
  /** A trace to group calls: `task.with({ trace })`; call `trace.end()` when done. */
  createTrace(name?: string): Trace
  /** Runs `fn` under a new trace and ends it with `fn`'s outcome. */
  runWithTrace<T>(name: string, fn: (trace: Trace) => T | Promise<T>): Promise<T>
}

export function createTaskRuntime(config: TaskRuntimeConfig = {}): TaskRuntime {
  if (config === null || typeof config !== 'object') {
    throw new TypeError(
      `createTaskRuntime takes an optional config object, received ${describe(config)}`,
    )
  }
  const { observability: observabilityConfig } = readOptions(
    'createTaskRuntime',
    config,
    RUNTIME_OPTIONS,
  ) as TaskRuntimeConfig
  const bus = new EventBus<ExecutorEvents>()
  const observability = createObservability(bus, observabilityConfig)
  const abortTaskController = new AbortTaskController()
  const tasks = new Map<string, TaskExecutor>()
  let generated = 0

  bus.on('disposed', (executor) => {
    if (tasks.get(executor.config.taskId) === executor) tasks.delete(executor.config.taskId)
  })

  function snapshotOf(executor: TaskExecutor): RuntimeTaskSnapshot {
    return { ...executor.getState(), init: executor.config.init }
  }
  const getRuntimeSnapshot = (): RuntimeSnapshot => ({
    tasks: Array.from(tasks.values(), snapshotOf),
  })

  return {
    abortTaskController,
    defineTask<T>(taskConfig: TaskConfig<T>): Task<T> {
      let id: string
      do id = `task-${++generated}`
      while (tasks.has(id))
      const resolved = resolveTaskConfig(taskConfig, id)
      if (tasks.has(resolved.taskId)) {
        throw new TypeError(`taskId must be unique within a runtime, "${resolved.taskId}" is taken`)
      }
      const executor = new TaskExecutor(resolved, bus, abortTaskController)
      tasks.set(resolved.taskId, executor)
      bus.emit('defined', executor)
      executor.begin()
      return createTask<T>(executor, undefined)
    },
    getRuntimeSnapshot,
    subscribeRuntimeSnapshot: (listener, options) =>
      subscribeRuntimeSnapshot(bus, getRuntimeSnapshot, listener, options),
    subscribeEvents: observability.subscribeEvents,
    createTrace: observability.createTrace,
    runWithTrace: observability.runWithTrace,
  }
}
