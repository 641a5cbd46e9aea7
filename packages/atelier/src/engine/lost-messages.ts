/**
 * Finding the call behind a message that arrived empty. The browser delivers `null` for a
 * message it could not clone whole (an ImageData over a detached buffer, hidden where the
 * transfer walk does not look), so neither side can read which call it was; these rules name it
 * from what each side knows, so the call fails instead of waiting for ever. See
 * `UnreadableMessage` and `QueryMessage` in the wire protocol.
 */

/** What the rules read of a call. */
export interface Suspect {
  readonly id: number
  /** The harness was already asked about it. */
  synced: boolean
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
