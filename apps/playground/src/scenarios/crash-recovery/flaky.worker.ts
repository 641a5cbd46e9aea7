/** Ordinary work, plus a handler that takes its worker down, for the crash scenario. */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { cooperativeWork } from '../../workers/busy'
import { CRASH_ON_START } from './crash-on-start'

/** How long the poison call seems fine: meanwhile other calls may land on the same worker. */
const CRASH_AFTER_MS = 300

/** Long enough to have started (and announced itself), too short to answer a call. */
const CRASH_ON_START_MS = 20

// A worker that dies as it starts, as one with a broken build or a failed WASM init would: the
// scenario's crash loop, which shows the restart delay doubling.
if (self.name === CRASH_ON_START) {
  setTimeout(() => {
    throw new Error('Crashed on start')
  }, CRASH_ON_START_MS)
}

const handlers = {
  async work(ms: number, ctx: TaskContext): Promise<number> {
    await cooperativeWork(ms, ctx)
    return ms
  },
  /**
   * Crashes the worker: an error thrown from a timer escapes every handler, so it reaches the
   * worker's global scope uncaught, as a bug in a real library would. The call never answers.
   * `_poison` exists only to be transferred; the scenario says why.
   */
  crash(_poison: ArrayBuffer, _ctx: TaskContext): Promise<never> {
    setTimeout(() => {
      throw new Error('Injected crash')
    }, CRASH_AFTER_MS)
    return new Promise(() => {})
  },
}

export type FlakyAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
