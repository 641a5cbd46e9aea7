/**
 * The typed facade: a task looks like the worker's handler object, each method returning a
 * promise. It validates nothing and decides nothing; every call goes to the one executor.
 */

import type { TaskExecutor } from './executor.js'
import type { TaskDispatchOptions } from './options.js'
import type { WithoutContext } from './task-context.js'
import type { TaskState } from './task-state.js'

type AnyFunction = (...args: any[]) => any

/** The worker API as the main thread calls it. */
export type TaskMethods<T> = {
  [K in keyof T as T[K] extends AnyFunction ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: WithoutContext<A>) => Promise<Awaited<R>>
    : never
}

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
export type Task<T> = Omit<TaskMethods<T>, keyof TaskControls<T> | 'then'> & TaskControls<T>

/** @internal Reaches a task's executor, for tests that count its entries. Not exported publicly. */
export const EXECUTOR: unique symbol = Symbol('atelier.executor')

const CONTROLS = new Set(['with', 'getState', 'startWorkers', 'stopWorkers', 'dispose'])

export function createTask<T>(
  executor: TaskExecutor,
  options: TaskDispatchOptions | undefined,
): Task<T> {
  const methods = new Map<string, AnyFunction>()
  const controls: TaskControls<T> = {
    with: (more) => createTask<T>(executor, { ...options, ...more }),
    getState: () => executor.getState(),
    startWorkers: () => executor.startWorkers(),
    stopWorkers: () => executor.stopWorkers(),
    dispose: () => executor.dispose(),
  }
  return new Proxy(controls, {
    get(target, property) {
      if (property === EXECUTOR) return executor
      // Symbols (inspection, iteration) and `then` (promise resolution) are never worker methods.
      if (typeof property !== 'string' || property === 'then') return undefined
      if (CONTROLS.has(property)) return target[property as keyof TaskControls<T>]
      let method = methods.get(property)
      if (!method) {
        // One function per method name, made on first use and reused for every call.
        method = (...args: unknown[]) => executor.call(property, args, options)
        methods.set(property, method)
      }
      return method
    },
  }) as unknown as Task<T>
}
