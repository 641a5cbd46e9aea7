/**
 * Atelier's handlers over the shared ops. Result buffers go back transferred by default; the
 * caller copies them instead with `task.with({ transferResult: false })`.
 */
import type { StripTaskContext, TaskContext } from '../../../packages/atelier/src/worker'
import { bounce, echo, hold, spin } from './ops'

export const handlers = {
  echo: (value: number, _ctx: TaskContext) => echo(value),
  spin: (ms: number, _ctx: TaskContext) => spin(ms),
  bounce: (buffer: ArrayBuffer, _ctx: TaskContext) => bounce(buffer),
  hold: (buffer: ArrayBuffer, _ctx: TaskContext) => hold(buffer),
}

export type AtelierAPI = StripTaskContext<typeof handlers>
