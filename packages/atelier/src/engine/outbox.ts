/**
 * A worker's outbox: the calls dispatched to it and not yet posted, with their messages and
 * transfer lists, posted together at the end of the turn (see `post-call.ts`).
 */

import type { CallMessage } from '../wire/protocol.js'

export class Outbox<C> {
  calls: C[] = []
  messages: CallMessage[] = []
  transfers: Transferable[][] = []
  /** Whether each must go on its own: the walk could not see all of its arguments. */
  alone: boolean[] = []
  /**
   * A flush is posting: what is queued meanwhile (a call that could not be sent freed a place,
   * and the pump filled it) waits for it, so the worker still sees its calls in id order.
   */
  posting = false

  get size(): number {
    return this.calls.length
  }

  /** Forgets what waits (its worker is gone; the calls are dealt with as its calls). */
  clear(): void {
    if (this.calls.length === 0) return
    this.calls = []
    this.messages = []
    this.transfers = []
    this.alone = []
  }
}
