/**
 * Renders one page of a document. Cooperative: it works in slices and checks `ctx` between
 * them, so a cancelled page stops within a few milliseconds and frees its worker.
 */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { cooperativeWork } from '../../workers/busy'

const handlers = {
  async renderPage(docId: string, page: number, ms: number, ctx: TaskContext) {
    await cooperativeWork(ms, ctx)
    return { docId, page }
  },
}

export type DocumentAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
