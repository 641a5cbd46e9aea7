/**
 * A call's progress reports, worker side. One value travels at a time: the next is posted only
 * once the caller has taken the last (`atelier:ack`), and values reported meanwhile overwrite
 * each other, so a worker faster than its caller never builds a backlog in either thread.
 */

import type { ProgressMessage } from '../wire/protocol.js'
import { messageOf } from '../wire/send-failure.js'
import type { HarnessOutbox } from './outbox.js'

export class ProgressChannel {
  #unacked = false
  #waiting = false
  #latest: unknown = undefined
  #ended = false

  constructor(
    readonly out: HarnessOutbox,
    readonly id: number,
  ) {}

  report(value: unknown): void {
    if (this.#ended) return
    if (!this.#unacked) {
      this.#post(value)
      return
    }
    // Cloned now, so the caller sees the value as it was when reported, and a value that cannot
    // be cloned throws here, in the handler that reported it.
    this.#latest = cloneProgress(value)
    this.#waiting = true
  }

  /** The caller took the last value: the latest one reported since, if any, goes now. */
  acked(): void {
    this.#unacked = false
    this.#flush()
  }

  /** The call is answering: its latest value goes ahead of the answer, and no more after it. */
  end(): void {
    this.#flush()
    this.#ended = true
  }

  #flush(): void {
    if (!this.#waiting) return
    const value = this.#latest
    this.#latest = undefined
    this.#waiting = false
    this.#post(value)
  }

  #post(value: unknown): void {
    const message: ProgressMessage = ['atelier:progress', this.id, value]
    const failed = this.out.sayData(message, undefined, false)
    if (failed !== undefined) throw unsendable(failed.error)
    this.#unacked = true
  }
}

function cloneProgress(value: unknown): unknown {
  try {
    return structuredClone(value)
  } catch (error) {
    throw unsendable(error)
  }
}

function unsendable(error: unknown): TypeError {
  return new TypeError(`ctx.progress() could not send its value: ${messageOf(error)}`, {
    cause: error,
  })
}
