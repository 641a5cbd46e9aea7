/** Atelier's worker: one handler, served the way the README shows. */
import {
  type StripTaskContext,
  serve,
  type TaskContext,
} from '../../../packages/atelier/src/worker'

const handlers = {
  echo: (value: number, _ctx: TaskContext) => value,
}

export type EchoAPI = StripTaskContext<typeof handlers>

serve(handlers)
