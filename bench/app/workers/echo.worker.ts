/** The cheapest possible task: what a call costs is then all runtime and messaging. */
import { expose } from 'comlink'
import {
  createTaskWorker,
  type StripTaskContext,
  type TaskContext,
} from '../../../packages/atelier/src/worker'

const handlers = {
  echo(value: unknown, _ctx: TaskContext): unknown {
    return value
  },
}

export type EchoAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
