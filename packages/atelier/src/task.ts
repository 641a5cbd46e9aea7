/**
 * The typed facade: a task looks like the worker's handler object, each method returning a
 * promise. It validates nothing and decides nothing; every call goes to the one executor.
 */

import type { TaskExecutor } from './engine/executor.js'
import {
  type ResolvedDispatchOptions,
  resolveDispatchOptions,
  type TaskDispatchOptions,
} from './options.js'
import type { StripTaskContext } from './task-context.js'
import type { TaskState } from './task-state.js'

/**
 * The worker API as the main thread calls it: the same type as {@link StripTaskContext}, under
 * the name earlier versions used.
 * @deprecated Use `StripTaskContext`.
 */
export type TaskMethods<T> = StripTaskContext<T>

export interface TaskControls<T> {
  /** A view of this task whose calls carry `options` (merged over this view's own). */
  with(options: TaskDispatchOptions): Task<T>
  getState(): TaskState
  /** Spawns the workers (resuming after `stopWorkers()` or a failure); resolves when all are ready. */
  startWorkers(): Promise<void>
  /** Terminates the workers and requeues their calls; calls queue up until `startWorkers()`. */
  stopWorkers(): Promise<void>
  /** Rejects everything queued or running, terminates the workers, and retires the task. */
  dispose(): Promise<void>
}

/**
 * A task: the worker's methods as promise-returning functions, plus its controls.
 * Not thenable, so `await task` yields the task itself.
 */
export type Task<T> = Omit<StripTaskContext<T>, keyof TaskControls<T> | 'then'> & TaskControls<T>

/** Each task's executor, for tests that count its entries; kept off the task itself. */
const executors = new WeakMap<object, TaskExecutor>()

/** @internal The executor behind a task (tests only; not exported from the package). */
export function executorOf(task: object): TaskExecutor | undefined {
  return executors.get(task)
}

const objectProto = Object.prototype

export function createTask<T>(
  executor: TaskExecutor,
  options: ResolvedDispatchOptions | undefined,
): Task<T> {
  // Method names are not known until used, so a proxy supplies them: the task object's
  // prototype. The first use of a name makes its function and defines it on the task itself,
  // so every later call finds an ordinary property and never reaches the trap again.
  const methods = new Proxy(Object.create(null) as object, {
    get(_target, property, receiver: object) {
      // Symbols (inspection, iteration) and `then` (promise resolution) are never worker methods.
      if (typeof property !== 'string' || property === 'then') return undefined
      // Nor is what every object has (valueOf, hasOwnProperty, constructor, …): logging, equality
      // checks and serialisers probe those, and each probe would otherwise post a call.
      if (property in objectProto) return Reflect.get(objectProto, property, receiver)
      const method = (...args: unknown[]) => executor.call(property, args, options)
      // Not enumerable, like a method on a class; a frozen task just keeps using the trap.
      Reflect.defineProperty(receiver, property, { value: method, configurable: true })
      return method
    },
  })
  const task = Object.create(methods) as TaskControls<T> & {
    toString(): string
    toJSON(): object
  }
  task.with = (more) => createTask<T>(executor, { ...options, ...resolveDispatchOptions(more) })
  task.getState = () => executor.getState()
  task.startWorkers = () => executor.startWorkers()
  task.stopWorkers = () => executor.stopWorkers()
  task.dispose = () => executor.dispose()
  // A task is safe to log and to serialise: neither reaches the worker.
  task.toString = () => `[Task ${executor.config.taskName}]`
  task.toJSON = () => ({ task: executor.config.taskId, name: executor.config.taskName })
  executors.set(task, executor)
  return task as Task<T>
}
