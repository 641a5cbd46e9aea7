/**
 * The floor's worker: answers a message with its times (see `report.ts`). launch.mjs pads the
 * built file to the size of Atelier's worker bundle (with that bundle's code, in a function never
 * called), so the two download and parse the same bytes.
 */
import './first-statement'
import { type WorkerTimes, workerTimes } from './report'

/** The worker's global scope, typed by hand: the pages compile against the DOM lib only. */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<number>) => void) | null
  postMessage(message: WorkerTimes): void
}

scope.onmessage = () => scope.postMessage(workerTimes())
