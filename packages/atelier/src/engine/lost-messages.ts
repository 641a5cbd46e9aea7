/**
 * Finding the call behind a message that arrived empty. The browser delivers `null` for a
 * message it could not clone whole (an ImageData over a detached buffer, hidden where the
 * transfer walk does not look), so neither side can read which call it was; these rules name it
 * from what each side knows, so the call fails instead of waiting for ever. See
 * `UnreadableMessage` and `QueryMessage` in the wire protocol.
 */

import type { WorkerSlot } from './worker-slot.js'

/** What the rules read of a call. */
export interface Suspect {
  readonly id: number
  /** The harness was already asked about it. */
  synced: boolean
  /** The id of the first call of the message it went in (see `post-call.ts`). */
  readonly sentWith: number
}

/**
 * The harness could not read a message that came after call `afterId`. A worker receives its
 * calls in increasing id order, so if the message was a call, it was the first one posted to
 * that worker after `afterId` that the harness was not asked about yet.
 */
export function suspectAfter<C extends Suspect>(
  calls: Iterable<C>,
  afterId: number,
): C | undefined {
  let suspect: C | undefined
  for (const call of calls) {
    if (call.id > afterId && !call.synced && (suspect === undefined || call.id < suspect.id)) {
      suspect = call
    }
  }
  return suspect
}

/** For a call whose answer the harness sent, but which arrived empty. */
export function lostAnswerError(method: string): TypeError {
  return new TypeError(
    `The answer to "${method}" arrived empty: its result or error could not be cloned whole (for example an ImageData over a detached buffer, inside an object that is not walked for transfer)`,
  )
}

/**
 * The harness could not read a message after call `afterId`: ask it about the calls that message
 * likely held (the suspect and the calls posted with it; it fails those it never read), or say
 * there are none.
 */
export function askAbout<C extends Suspect>(slot: WorkerSlot<C>, afterId: number): void {
  // Posted first: the suspect is among the calls posted, not among those still waiting.
  if (slot.outbox.size > 0) slot.owner.flush(slot)
  const suspect = suspectAfter(slot.calls.values(), afterId)
  const ids: number[] = []
  if (suspect !== undefined) {
    for (const call of slot.calls.values()) {
      if (call.sentWith === suspect.sentWith && !call.synced) {
        call.synced = true
        ids.push(call.id)
      }
    }
  }
  slot.tell(['atelier:sync', ids])
}

/** A message from the worker arrived empty: ask which of this worker's calls it has answered. */
export function queryAnswers<C>(slot: WorkerSlot<C>): void {
  if (slot.calls.size === 0) return
  slot.tell(['atelier:query', [...slot.calls.keys()]])
}
