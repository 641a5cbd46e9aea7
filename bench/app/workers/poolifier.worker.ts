/**
 * poolifier's worker over the shared ops. A poolifier task takes one argument (`data`), so
 * `bounce` takes the buffer alone; results always go back copied (`ThreadWorker` posts them
 * without a transfer list).
 */
import './poolifier-window-shim'
import { ThreadWorker } from 'poolifier-web-worker'
import { bounce, echo, hold, spin } from './ops'

export default new ThreadWorker<unknown, unknown>({
  echo: (value) => echo(value as number),
  spin: (ms) => spin(ms as number),
  bounce: (buffer) => bounce(buffer as ArrayBuffer),
  // Declared async: poolifier awaits only async functions; a plain function's promise would be
  // posted as the result, and fail to clone.
  hold: async (buffer) => hold(buffer as ArrayBuffer),
})
