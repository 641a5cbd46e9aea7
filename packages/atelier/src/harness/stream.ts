/**
 * A streaming call, worker side: drives the handler's generator while the caller has granted
 * credit, and sends what it yields in batches.
 *
 * Flow control. The stream starts with `window` credits and spends one per chunk; the caller
 * grants more as its consumer takes chunks (`atelier:credit`). At zero the generator is simply not
 * resumed, so its next `yield` waits: however fast it produces, at most `window` chunks exist
 * that the consumer has not taken.
 *
 * Batching. A message per chunk would cost a round of cloning and dispatch per chunk, so chunks
 * collect in a batch that is flushed when the credit runs out, when the generator ends or fails,
 * when a chunk was slow to produce (the next will likely be slow too: do not hold this one back),
 * when the batch has waited a millisecond, and at the latest on the next turn of the event loop
 * (for a generator that awaits I/O between chunks). After a slow chunk the driver also waits one
 * turn of the event loop, so a cancel or credit reaches a generator that never awaits.
 */

import type { ChunksMessage } from '../wire/protocol.js'
import { isCloneError, messageOf } from '../wire/send-failure.js'
import { DetachedBufferError, formatPath } from '../wire/transfer.js'
import type { CallContext } from './call-context.js'
import { nextTurn } from './next-turn.js'
import type { HarnessOutbox } from './outbox.js'
import { thenOf } from './replies.js'

/** A chunk that took this long to make is sent at once rather than batched. */
const SLOW_CHUNK_MS = 0.5
/** The oldest a batch may get before it is sent, while the generator keeps producing. */
const MAX_BATCH_AGE_MS = 1

export class StreamRun {
  #credit: number
  #batch: unknown[] = []
  #sent = 0
  #batchStartedAt = 0
  #pullStartedAt = 0
  #flushQueued = false
  /** Resolves the wait for credit (or cancellation) while the generator is held at the window. */
  #wake: (() => void) | undefined
  /** Why a batch could not be sent; the stream ends with it. */
  #sendError: Error | undefined

  constructor(
    readonly out: HarnessOutbox,
    readonly id: number,
    readonly method: string,
    readonly context: CallContext,
    readonly generator: Iterator<unknown> | AsyncIterator<unknown>,
    window: number,
    readonly transferResult: boolean,
  ) {
    this.#credit = window
  }

  /** The consumer took `chunks` more. */
  grant(chunks: number): void {
    this.#credit += chunks
    this.#wake?.()
  }

  /** Cancelled (the context is already aborted): stop pulling and let the generator clean up. */
  cancel(): void {
    this.#wake?.()
  }

  /** Drives the generator to its end; answers the call exactly once. Never rejects. */
  async run(): Promise<void> {
    const generator = this.generator
    // `for await` over a sync generator awaits the values it yields: so do we.
    const sync = !(Symbol.asyncIterator in generator)
    try {
      for (;;) {
        if (this.#stopping) break
        if (this.#credit <= 0) {
          this.#flush()
          await new Promise<void>((resolve) => {
            this.#wake = resolve
          })
          this.#wake = undefined
          continue
        }
        this.#pullStartedAt = performance.now()
        let step = generator.next() as IteratorResult<unknown> | Promise<IteratorResult<unknown>>
        if (thenOf(step) !== undefined) step = await step
        const { done, value } = step as IteratorResult<unknown>
        if (done) {
          this.#flush()
          if (this.#sendError !== undefined) break
          this.context.progressChannel?.end()
          this.out.say(['atelier:end', this.id])
          return
        }
        // A chunk that was slow to make went at once; before the next, let messages in (a cancel,
        // credit): a generator that computes without awaiting would otherwise shut them out
        // until its window ran out. Fast chunks do not pay for this turn.
        if (this.#push(sync && thenOf(value) !== undefined ? await value : value)) await turn()
      }
    } catch (error) {
      // The generator threw: the chunks it yielded first go ahead of the error.
      this.#flush()
      this.#fail(this.#sendError ?? error)
      return
    }
    // Cancelled, or a batch could not be sent: `return()` runs the generator's `finally` blocks.
    try {
      await generator.return?.(undefined)
    } catch {
      // Its clean-up threw; the call ends with why it stopped all the same.
    }
    this.#fail(this.#sendError ?? this.context.reason)
  }

  get #stopping(): boolean {
    return this.context.aborted || this.#sendError !== undefined
  }

  #fail(error: unknown): void {
    this.context.progressChannel?.end()
    this.out.error(this.id, error)
  }

  /** Adds a chunk to the batch; true if it was sent at once for taking its time. */
  #push(value: unknown): boolean {
    if (this.#stopping) return false
    const batch = this.#batch
    batch.push(value)
    this.#credit--
    const now = performance.now()
    if (batch.length === 1) {
      this.#batchStartedAt = now
      if (!this.#flushQueued) {
        this.#flushQueued = true
        nextTurn(() => {
          this.#flushQueued = false
          this.#flush()
          // Nothing to wake for: a generator held at the window is woken by credit.
        })
      }
    }
    const slow =
      now - this.#pullStartedAt >= SLOW_CHUNK_MS || now - this.#batchStartedAt >= MAX_BATCH_AGE_MS
    if (slow || this.#credit <= 0) this.#flush()
    return slow
  }

  /** Sends the batch. Never throws: a chunk that cannot be sent stops the stream with why. */
  #flush(): void {
    const values = this.#batch
    if (values.length === 0 || this.#sendError !== undefined) return
    this.#batch = []
    if (this.#post(values) === undefined) {
      this.#sent += values.length
      return
    }
    // Something in the batch cannot be sent. Send it chunk by chunk instead: the chunks before
    // the culprit still reach the consumer, and the error can name the culprit.
    for (const value of values) {
      const failed = this.#post([value])
      if (failed !== undefined) {
        this.#stop(this.#unsendable(this.#sent, failed.error))
        return
      }
      this.#sent++
    }
  }

  #post(values: unknown[]): { error: unknown } | undefined {
    const message: ChunksMessage = ['atelier:chunks', this.id, values]
    return this.out.sayData(message, values, this.transferResult)
  }

  #stop(error: Error): void {
    this.#sendError = error
    this.#wake?.()
  }

  #unsendable(index: number, error: unknown): TypeError {
    if (error instanceof DetachedBufferError) {
      // The path starts at the one-chunk list the chunk was walked in.
      const where = error.path.length > 1 ? ` at ${formatPath(error.path.slice(1))}` : ''
      return new TypeError(
        `Chunk ${index} of "${this.method}" holds a detached ArrayBuffer${where}: the worker already transferred it (an earlier chunk or message took it). Yield a copy (buffer.slice())`,
        { cause: error },
      )
    }
    const what = isCloneError(error) ? 'sent' : 'read to send it'
    return new TypeError(
      `Chunk ${index} of "${this.method}" could not be ${what}: ${messageOf(error)}`,
      { cause: error },
    )
  }
}

/** Resolves on a later turn of the event loop, after the messages already waiting. */
function turn(): Promise<void> {
  return new Promise((resolve) => nextTurn(resolve))
}
