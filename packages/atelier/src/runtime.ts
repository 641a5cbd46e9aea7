/**
 * `createTaskRuntime()`: an isolated set of tasks sharing one abort controller and one event
 * bus. Two runtimes never see each other's tasks, keys or events.
 */

import { AbortTaskController } from './abort-task-controller.js'
import { EventBus } from './event-bus.js'
import { type ExecutorEvents, TaskExecutor, type TaskState } from './executor.js'
import { resolveTaskConfig, type TaskConfig } from './options.js'
import { createTask, type Task } from './task.js'

export interface RuntimeTaskSnapshot extends TaskState {
  taskId: string
  taskName: string
  init: 'lazy' | 'eager'
}

export interface RuntimeSnapshot {
  tasks: RuntimeTaskSnapshot[]
}

export interface TaskRuntime {
  /** Defines a task. Throws `TypeError`/`RangeError` naming any invalid option. */
  defineTask<T>(config: TaskConfig): Task<T>
  /** Cancels calls by key across this runtime's tasks. */
  readonly abortTaskController: AbortTaskController
  getRuntimeSnapshot(): RuntimeSnapshot
}

export type TaskRuntimeConfig = {}

export function createTaskRuntime(_config: TaskRuntimeConfig = {}): TaskRuntime {
  const bus = new EventBus<ExecutorEvents>()
  const abortTaskController = new AbortTaskController()
  const tasks = new Map<string, TaskExecutor>()
  let generated = 0

  bus.on('disposed', (executor) => {
    if (tasks.get(executor.config.taskId) === executor) tasks.delete(executor.config.taskId)
  })

  function snapshotOf(executor: TaskExecutor): RuntimeTaskSnapshot {
    const { taskId, taskName, init } = executor.config
    return { taskId, taskName, init, ...executor.getState() }
  }

  return {
    abortTaskController,
    defineTask<T>(config: TaskConfig): Task<T> {
      let id: string
      do id = `task-${++generated}`
      while (tasks.has(id))
      const resolved = resolveTaskConfig(config, id)
      if (tasks.has(resolved.taskId)) {
        throw new TypeError(`taskId must be unique within a runtime, "${resolved.taskId}" is taken`)
      }
      const executor = new TaskExecutor(resolved, bus, abortTaskController)
      tasks.set(resolved.taskId, executor)
      return createTask<T>(executor, undefined)
    },
    getRuntimeSnapshot: () => ({ tasks: [...tasks.values()].map(snapshotOf) }),
  }
}
