/**
 * Putting calls on the wire. The first call of a turn for a worker goes at once, as a plain call
 * message, so a call made alone waits for nothing. The calls dispatched to that worker after it
 * in the same turn wait in its outbox until the turn's end (a microtask) and travel in one
 * message with their transfer lists merged: one structured clone and one task on each side for
 * the lot, where one message per call spends most of a tiny call's time on exactly that.
 *
 * A bad call still fails alone. Its arguments are walked when it is queued, so a detached buffer
 * fails it there; if the merged message cannot be posted (one call holds something that cannot
 * be cloned, or a buffer that cannot be moved), nothing was posted, and the calls go one by one,
 * each failing or going on its own merits. A call whose arguments the walk could not see whole
 * (a class instance) goes on its own, in its turn: a detached buffer hidden there makes the
 * browser deliver the message empty, and only that call should be lost with it.
 */

import type { CallMessage, CallsMessage } from '../wire/protocol.js'
import { describeSendFailure } from '../wire/send-failure.js'
import { findTransferables, mergeTransfers, walkedWhole } from '../wire/transfer.js'
import type { Call } from './call.js'
import type { WorkerSlot } from './worker-slot.js'

const NO_TRANSFER: Transferable[] = []

/** Who hears how each call of a flush went. */
export interface PostOwner {
  /** Posted to `slot`'s worker; `transferred`: it moved buffers, so it cannot be replayed. */
  posted(slot: WorkerSlot<Call>, call: Call, transferred: boolean): void
  /** Could not be sent; `error` names the culprit. Nothing of it was posted. */
  unsendable(slot: WorkerSlot<Call>, call: Call, error: Error): void
}

/**
 * Adds `call` to its worker's outbox. Throws, having added nothing, an error naming the culprit
 * when its arguments hold a detached buffer: walked here, so it fails now, not in the worker.
 */
export function queueCall(slot: WorkerSlot<Call>, call: Call): void {
  const args = call.args!
  let transfer: Transferable[]
  try {
    const found = findTransferables(args)
    transfer = call.transfer ?? found
  } catch (error) {
    throw describeSendFailure(error, call.method, args)
  }
  const outbox = slot.outbox
  outbox.calls.push(call)
  outbox.messages.push(callMessage(call, args))
  outbox.transfers.push(transfer)
  outbox.alone.push(!walkedWhole())
}

/**
 * Posts what waits in `slot`'s outbox, and tells `owner` how each call went. Telling it may
 * dispatch more to this worker (a call that could not be sent frees its place): those wait for
 * the calls already here and go after them, in this same flush. Posted at once, a later call
 * would overtake them, and a worker must see its calls in id order (see `lost-messages.ts`: a
 * call arriving empty is named by the ids around it).
 */
export function flushOutbox(slot: WorkerSlot<Call>, owner: PostOwner): void {
  const outbox = slot.outbox
  if (outbox.posting) return
  outbox.posting = true
  try {
    while (outbox.size > 0) postWaiting(slot, owner)
  } finally {
    outbox.posting = false
  }
}

function postWaiting(slot: WorkerSlot<Call>, owner: PostOwner): void {
  const outbox = slot.outbox
  const { calls, messages, transfers, alone } = outbox
  const count = calls.length
  if (count === 1) {
    // The common case of a call alone: no batch, and the outbox's arrays kept for the next.
    const call = calls[0]!
    const message = messages[0]!
    const transfer = transfers[0]!
    calls.length = messages.length = transfers.length = alone.length = 0
    postEach(slot, owner, call, message, transfer)
    return
  }
  // Fresh arrays: posting runs listeners, which may dispatch more into this outbox meanwhile.
  outbox.calls = []
  outbox.messages = []
  outbox.transfers = []
  outbox.alone = []
  // In order: runs of calls that may travel together, and those that go alone between them.
  let from = 0
  for (let i = 0; i <= count; i++) {
    if (i < count && !alone[i]) continue
    const whole = from === 0 && i === count
    if (
      i - from > 1 &&
      postTogether(
        slot,
        whole ? messages : messages.slice(from, i),
        whole ? transfers : transfers.slice(from, i),
      )
    ) {
      const first = messages[from]![1]
      for (let j = from; j < i; j++) {
        calls[j]!.sentWith = first
        owner.posted(slot, calls[j]!, transfers[j]!.length > 0)
      }
    } else {
      for (let j = from; j < i; j++) postEach(slot, owner, calls[j]!, messages[j]!, transfers[j]!)
    }
    if (i < count) postEach(slot, owner, calls[i]!, messages[i]!, transfers[i]!)
    from = i + 1
  }
}

function postEach(
  slot: WorkerSlot<Call>,
  owner: PostOwner,
  call: Call,
  message: CallMessage,
  transfer: Transferable[],
): void {
  call.sentWith = call.id
  try {
    owner.posted(slot, call, postAlone(slot, call, message, transfer))
  } catch (error) {
    owner.unsendable(slot, call, describeSendFailure(error, call.method, message[3]))
  }
}

/** One message for all; false if it could not go (then nothing went). */
function postTogether(
  slot: WorkerSlot<Call>,
  messages: CallMessage[],
  transfers: Transferable[][],
): boolean {
  const transfer = mergeTransfers(transfers)
  const message: CallsMessage = ['atelier:calls', messages]
  try {
    slot.post(message, transfer)
    return true
  } catch {
    return false
  }
}

/** True if it transferred something. Throws what posting threw, having posted nothing. */
function postAlone(
  slot: WorkerSlot<Call>,
  call: Call,
  message: CallMessage,
  transfer: Transferable[],
): boolean {
  try {
    slot.post(message, transfer)
    return transfer.length > 0
  } catch (error) {
    // Walked again: since it was queued, a call posted before it may have transferred one of its
    // buffers (the same buffer passed twice), which must fail it by name, not arrive empty.
    findTransferables(message[3])
    // Some found buffer cannot be moved (a WebAssembly memory's): copying may still work. An
    // explicit list is the caller's to fix.
    if (call.transfer !== undefined || transfer.length === 0) throw error
    slot.post(message, NO_TRANSFER)
    return false
  }
}

/** The call's message, its trailing elements only as far as the last that is not its default. */
function callMessage(call: Call, args: unknown[]): CallMessage {
  const message: CallMessage = ['atelier:call', call.id, call.method, args]
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
  return message
}
