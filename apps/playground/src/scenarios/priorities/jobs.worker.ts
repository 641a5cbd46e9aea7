/**
 * Jobs that keep their worker busy for `ms` without yielding: one job at a time per worker, so
 * the queue alone decides what runs next. Two names for the same work, so the spans (which carry
 * the method) tell the batch from the clicks.
 */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { spin } from '../../workers/busy'

const handlers = {
  batch(ms: number, _ctx: TaskContext): number {
    spin(ms)
    return ms
  },
  click(ms: number, _ctx: TaskContext): number {
    spin(ms)
    return ms
  },
}

export type JobsAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
