/** What a handler receives as its last argument. */

import type { TaskContext } from '../task-context.js'
import type { ProgressChannel } from './progress.js'

const NOT_ABORTED: unique symbol = Symbol('not aborted')

/**
 * A handler's `TaskContext`. The `AbortController` behind `signal` is made only if the handler
 * asks for the signal: most calls finish without looking, and a controller per call is the
 * costliest thing a tiny call would otherwise allocate.
 */
export class CallContext implements TaskContext {
  #controller: AbortController | undefined
  #reason: unknown = NOT_ABORTED

  constructor(
    readonly key: string | undefined,
    readonly id: number,
    /** Present only when the caller listens (`onProgress`): otherwise reports go nowhere, free. */
    readonly progressChannel: ProgressChannel | undefined,
    readonly traceparent: string | undefined = undefined,
    readonly tracestate: string | undefined = undefined,
  ) {}

  get aborted(): boolean {
    return this.#reason !== NOT_ABORTED
  }

  get reason(): unknown {
    return this.#reason === NOT_ABORTED ? undefined : this.#reason
  }

  progress(value: unknown): void {
    this.progressChannel?.report(value)
  }

  /** A string, as in the API we keep; the wire carries the number. */
  get callId(): string {
    return String(this.id)
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#reason !== NOT_ABORTED) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  throwIfAborted(): void {
    if (this.#reason !== NOT_ABORTED) throw this.#reason
  }

  abort(reason: unknown): void {
    if (this.#reason !== NOT_ABORTED) return
    this.#reason = reason
    this.#controller?.abort(reason)
  }
}
