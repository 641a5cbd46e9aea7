/** Atelier's worker: one handler, served the way the README shows. */
import './first-statement'
import {
  type StripTaskContext,
  serve,
  type TaskContext,
} from '../../../packages/atelier/src/worker'
import { workerTimes } from './report'

const handlers = {
  /** Answers with the worker's times (see `report.ts`), as the bare worker does. */
  echo: (_value: number, _ctx: TaskContext) => workerTimes(),
}

export type EchoAPI = StripTaskContext<typeof handlers>

serve(handlers)
