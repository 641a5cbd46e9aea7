/**
 * A call as its caller holds it when the call may stream: a `TaskStream`. It is a real promise
 * (so `await`, `.catch`, `Promise.all` work as for any call) and an async iterable, consumed one
 * way, once:
 * - iterated, it hands chunks to the loop as the consumer asks, and grants the worker credit as
 *   they are taken, so a consumer that stops pulling holds the producer at the window;
 * - awaited, it collects every chunk and resolves with the array;
 * - neither yet, it holds what arrived (at most a window) until it is one or the other.
 *
 * The same object serves a call made before any worker said which of its methods stream: if the
 * worker answers with a plain result, awaiting resolves with it, and iterating throws.
 */

import { AbortError } from '../errors.js'
import type { CallOutcome } from '../outcomes.js'
import { type ChunkSource, chunksOf } from '../stream-chunks.js'
import { type Call, type ChunkSink, STREAM_END } from './call.js'

export interface StreamOwner {
  cancel(call: Call, reason: unknown, kind: CallOutcome): void
  /** The consumer took `chunks` more: let the worker run that many further. */
  grant(call: Call, chunks: number): void
}

const UNTOUCHED = 0
const ITERATING = 1
const AWAITED = 2

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true })

interface Waiter {
  resolve(result: IteratorResult<unknown>): void
  reject(error: unknown): void
}

/**
 * Ends decided by the caller's side (a cancellation, a timeout, a dispose) stop the stream at
 * once, dropping chunks not yet read. Ends that come from the worker (its generator threw, it
 * crashed) come after the chunks it sent first.
 */
function dropsUnread(kind: CallOutcome): boolean {
  return kind === 'abort' || kind === 'timeout' || kind === 'disposed'
}

export class CallStream extends Promise<unknown> implements ChunkSink, ChunkSource {
  // Promises derived with `then` are plain ones: only the call's own object is a stream.
  static override get [Symbol.species]() {
    return Promise
  }

  readonly #owner: StreamOwner
  readonly #call: Call
  readonly #resolve: (value: unknown) => void
  readonly #reject: (reason: unknown) => void
  #mode = UNTOUCHED
  /** Chunks not yet taken (from `#head` on); once awaited, every chunk, collected. */
  #buffer: unknown[] = []
  #head = 0
  /** Chunks taken but not yet granted back to the worker. */
  #ungranted = 0
  readonly #grantAt: number
  #ended = false
  /** The consumer left (`break`, `return()`): nothing more is delivered. */
  #closed = false
  /** What the loop throws once the buffer is read: the call's error. */
  #error: { value: unknown } | undefined
  /** The worker answered with a plain result, not a stream. */
  #plain: { value: unknown } | undefined
  #waiters: Waiter[] = []
  /** Read by `parallelLimit`: a plain answer is one chunk rather than an error. */
  #plainIsChunk = false

  constructor(owner: StreamOwner, call: Call) {
    let resolve!: (value: unknown) => void
    let reject!: (reason: unknown) => void
    super((res, rej) => {
      resolve = res
      reject = rej
    })
    this.#resolve = resolve
    this.#reject = reject
    this.#owner = owner
    this.#call = call
    // Credit goes back in halves of the window, so a worker is rarely held while the consumer
    // works through what it has, and a fast consumer does not send a message per chunk.
    this.#grantAt = Math.max(1, call.window >> 1)
  }

  // ---- from the engine ---------------------------------------------------------------------

  get unread(): number {
    // Once awaited, the buffer is the result being collected, not chunks held back.
    return this.#mode === AWAITED ? 0 : this.#buffer.length - this.#head
  }

  push(values: unknown[]): void {
    if (this.#closed) return
    const buffer = this.#buffer
    for (let i = 0; i < values.length; i++) buffer.push(values[i])
    if (this.#mode === AWAITED) this.#owner.grant(this.#call, values.length)
    else if (this.#mode === ITERATING) this.#serve()
  }

  finish(ok: boolean, value: unknown, kind: CallOutcome): void {
    if (this.#ended) return
    this.#ended = true
    if (this.#closed) return
    if (!ok) {
      this.#error = { value }
      if (dropsUnread(kind)) this.#drop()
    } else if (value !== STREAM_END) {
      this.#plain = { value }
    }
    if (this.#mode === ITERATING) {
      this.#serve()
    } else if (this.#mode === AWAITED) {
      this.#settlePromise()
    } else if (ok) {
      // Nobody has looked yet; every chunk is still in the buffer. A failure waits to be looked
      // at: rejecting now would report an unhandled rejection to a caller about to iterate.
      this.#resolve(this.#plain ? this.#plain.value : this.#buffer)
    }
  }

  // ---- awaited -----------------------------------------------------------------------------

  // biome-ignore lint/suspicious/noThenProperty: a stream is a promise; awaiting it is how it learns to collect
  override then<A = unknown, B = never>(
    onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    if (this.#mode === ITERATING) {
      const error = new TypeError(
        `The stream of "${this.#call.method}" is being iterated: its chunks go to the loop, so it cannot also be awaited (a TaskStream is consumed once)`,
      )
      return Promise.reject(error).then(onFulfilled, onRejected)
    }
    if (this.#mode === UNTOUCHED) {
      this.#mode = AWAITED
      if (this.#ended) this.#settlePromise()
      else if (this.#buffer.length > 0) this.#owner.grant(this.#call, this.#buffer.length)
    }
    return super.then(onFulfilled, onRejected)
  }

  #settlePromise(): void {
    if (this.#error) this.#reject(this.#error.value)
    else this.#resolve(this.#plain ? this.#plain.value : this.#buffer)
  }

  // ---- iterated ----------------------------------------------------------------------------

  [chunksOf](): AsyncIterableIterator<unknown> {
    this.#plainIsChunk = true
    return this[Symbol.asyncIterator]()
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    if (this.#mode !== UNTOUCHED) {
      const how = this.#mode === ITERATING ? 'iterated' : 'awaited'
      throw new TypeError(
        `The stream of "${this.#call.method}" was already ${how}: a TaskStream is consumed once (call the method again for another stream)`,
      )
    }
    this.#mode = ITERATING
    // Its chunks go to the loop from now on; the promise holds nothing.
    this.#resolve(undefined)
    const iterator: AsyncIterableIterator<unknown> = {
      next: () => this.#next(),
      return: () => this.#return(),
      throw: (error: unknown) => this.#return().then(() => Promise.reject(error)),
      [Symbol.asyncIterator]: () => iterator,
    }
    return iterator
  }

  #next(): Promise<IteratorResult<unknown>> {
    if (this.#head < this.#buffer.length)
      return Promise.resolve({ value: this.#take(), done: false })
    if (this.#ended || this.#closed) return this.#last()
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  /** The consumer left the loop (`break`, a throw in its body, `return()`): cancel the call. */
  #return(): Promise<IteratorResult<unknown>> {
    if (!this.#closed) {
      this.#closed = true
      this.#drop()
      this.#error = undefined
      this.#plain = undefined
      if (!this.#ended) {
        const reason = new AbortError(
          `The consumer of the stream of "${this.#call.method}" stopped reading it`,
        )
        this.#owner.cancel(this.#call, reason, 'abort')
      }
      this.#serve()
    }
    return Promise.resolve(DONE)
  }

  /** Answers waiting `next()` calls from the buffer, then with the end. */
  #serve(): void {
    const waiters = this.#waiters
    while (waiters.length > 0) {
      if (this.#head < this.#buffer.length) {
        waiters.shift()!.resolve({ value: this.#take(), done: false })
      } else if (this.#ended || this.#closed) {
        const waiter = waiters.shift()!
        this.#last().then(waiter.resolve, waiter.reject)
      } else {
        return
      }
    }
  }

  /** What follows the last chunk: the call's error (once), or done. */
  #last(): Promise<IteratorResult<unknown>> {
    const error = this.#error
    if (error) {
      this.#error = undefined
      return Promise.reject(error.value)
    }
    if (this.#plain) {
      const { value } = this.#plain
      this.#plain = undefined
      if (this.#plainIsChunk) return Promise.resolve({ value, done: false })
      return Promise.reject(
        new TypeError(
          `"${this.#call.method}" does not stream: its handler is not a generator function (async function*), so await the call instead of iterating it`,
        ),
      )
    }
    return Promise.resolve(DONE)
  }

  #take(): unknown {
    const buffer = this.#buffer
    const value = buffer[this.#head]
    buffer[this.#head++] = undefined
    if (this.#head === buffer.length) {
      this.#buffer = []
      this.#head = 0
    } else if (this.#head >= 1024 && this.#head * 2 >= buffer.length) {
      this.#buffer = buffer.slice(this.#head)
      this.#head = 0
    }
    if (++this.#ungranted >= this.#grantAt || this.#buffer.length === 0) {
      this.#owner.grant(this.#call, this.#ungranted)
      this.#ungranted = 0
    }
    return value
  }

  #drop(): void {
    this.#buffer = []
    this.#head = 0
  }
}
