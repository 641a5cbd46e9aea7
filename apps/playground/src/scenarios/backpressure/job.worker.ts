/** A job of `ms` of CPU work, done in slices so a cancelled call stops early. */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { cooperativeWork } from '../../workers/busy'

const handlers = {
  async job(ms: number, ctx: TaskContext): Promise<number> {
    await cooperativeWork(ms, ctx)
    return ms
  },
}

export type JobAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
