/** Progress reports, main-thread side: to the caller's `onProgress`, then acknowledged. */

import { reportListenerError } from '../report-error.js'
import type { Call } from './call.js'
import type { WorkerSlot } from './worker-slot.js'

/**
 * Hands a progress value to the caller's listener. The acknowledgement lets the worker send the
 * next: a caller slower than its worker so receives the latest value, never a backlog. A
 * listener that throws is reported like an uncaught error and the call carries on.
 */
export function deliverProgress(
  slot: WorkerSlot<Call>,
  call: Call | undefined,
  value: unknown,
): void {
  const listener = call?.onProgress
  // Once the caller has heard the call's end, nobody listens, and the worker need send no more.
  if (call === undefined || call.settled || listener === undefined) return
  try {
    listener(value)
  } catch (error) {
    reportListenerError(error)
  }
  if (call.slot !== slot || call.settled) return
  slot.tell(['atelier:ack', call.id])
}
