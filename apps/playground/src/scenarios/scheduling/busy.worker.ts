/**
 * Calls that keep their worker busy for `ms`, without yielding: one call at a time per worker.
 * Two names for the same work, so the spans (which carry the method) tell long from short.
 */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { spin } from '../../workers/busy'

const handlers = {
  long(ms: number, _ctx: TaskContext): number {
    spin(ms)
    return ms
  },
  short(ms: number, _ctx: TaskContext): number {
    spin(ms)
    return ms
  },
}

export type BusyAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
