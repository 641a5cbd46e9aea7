/** Putting a call on the wire: its message, what it transfers, and why it could not be sent. */

import type { CallMessage } from '../wire/protocol.js'
import { describeSendFailure } from '../wire/send-failure.js'
import { findTransferables } from '../wire/transfer.js'
import type { Call } from './call.js'
import type { WorkerSlot } from './worker-slot.js'

const NO_TRANSFER: Transferable[] = []

/**
 * Posts `call` to `slot`'s worker; true if it transferred something (so it cannot be replayed).
 * Throws an error naming the culprit when nothing could be sent; nothing was posted then.
 */
export function postCall(slot: WorkerSlot<Call>, call: Call): boolean {
  const args = call.args!
  const message: CallMessage = ['atelier:call', call.id, call.method, args]
  // Trailing elements only as far as the last one that is not its default.
  const keep = call.transferResult ? undefined : true
  const progress = call.onProgress !== undefined ? true : undefined
  const window = call.sink !== undefined ? call.window : undefined
  if (call.traceparent !== undefined) {
    message.push(call.key, keep, progress, window, call.traceparent)
    if (call.tracestate !== undefined) message.push(call.tracestate)
  } else if (window !== undefined) message.push(call.key, keep, progress, window)
  else if (progress) message.push(call.key, keep, true)
  else if (keep) message.push(call.key, true)
  else if (call.key !== undefined) message.push(call.key)
  try {
    // Walked even with an explicit list: a detached buffer must fail here, not in the worker.
    const found = findTransferables(args)
    const transfer = call.transfer ?? found
    try {
      slot.post(message, transfer)
      return transfer.length > 0
    } catch (error) {
      // Some found buffer cannot be moved (a WebAssembly memory's): copying may still work.
      if (call.transfer !== undefined || transfer.length === 0) throw error
      slot.post(message, NO_TRANSFER)
      return false
    }
  } catch (error) {
    throw describeSendFailure(error, call.method, args)
  }
}
