/**
 * `atelier/worker`: the worker side only, so worker bundles carry none of the executor.
 * @example
 * import { serve, type TaskContext, type StripTaskContext } from 'atelier/worker'
 *
 * const handlers = {
 *   async resize(image: ImageData, width: number, ctx: TaskContext) { ... },
 * }
 * export type ResizeAPI = StripTaskContext<typeof handlers>
 * serve(handlers)
 */
export { AbortError, TimeoutError, UnknownMethodError } from './errors.js'
export {
  createTaskWorker,
  type HarnessEndpoint,
  serve,
  type TaskWorker,
} from './harness/serve.js'
export type { StripTaskContext, TaskContext, TaskHandlers, TaskStream } from './task-context.js'
