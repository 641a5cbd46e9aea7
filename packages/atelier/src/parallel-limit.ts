/**
 * Bounded concurrency for multi-stage pipelines: map a (possibly async, possibly endless) source
 * through an async function with at most `limit` calls at once, yielding in completion order.
 * The output is itself an async iterable, so stages chain: `parallelLimit(parallelLimit(...))`.
 */

import type { AbortTaskController } from './abort-task-controller.js'
import { describe, hasMethod } from './describe.js'
import { isAbortSignal, readOptions } from './options.js'
import { type ChunkSource, chunksOf, isChunkSource } from './stream-chunks.js'
import type { TaskStream } from './task-context.js'

export type ErrorPolicy = 'fail-fast' | 'continue'

/** The options both overloads take. */
interface CommonOptions<T> {
  /**
   * What an item's failure does.
   * - `'fail-fast'`: stop pulling items; the iterator throws that error as soon as it can,
   *   ahead of results still waiting to be yielded. Calls in progress are left to settle and
   *   their results (and errors) are discarded.
   * - `'continue'`: report the error to `onError` and go on with the next items.
   *
   * Ignored when `returnSettled` is true: failures are then yielded, never thrown.
   * @default 'fail-fast'
   */
  errorPolicy?: ErrorPolicy
  /**
   * Called with every item failure, just before the iterator throws it, skips it or yields it as
   * `rejected`; also for an item's cancellation that is skipped (see `abortTaskController`).
   * Not called for failures that arrive after the iterator finished, nor for the source's own
   * errors. If it throws, the iterator throws that instead.
   */
  onError?: (error: unknown, item: T) => void
  /**
   * Stops pulling and makes the iterator throw `signal.reason`, also when already aborted.
   * Calls in progress are left to settle; their results are discarded. Giving a signal also
   * turns on the cancellation rule described under `abortTaskController`.
   */
  signal?: AbortSignal
  /**
   * Cancellation by key, and the switch (with `signal`) for skipping cancellations.
   *
   * With `keyOf`, items whose key is aborted when pulled are skipped without calling `fn`.
   *
   * With either `abortTaskController` or `signal` given, a cancelled item is not a failure, as
   * in `@varunkanwar/atelier`: unless `returnSettled` is set, an item's rejection is skipped
   * (after `onError`) when its error is named `AbortError` or its key is aborted by then, and the
   * value of an item whose key is aborted by the time it would be yielded is dropped. A
   * `TimeoutError` is not a cancellation: it stays a failure.
   */
  abortTaskController?: AbortTaskController
  /**
   * The cancellation key of an item, read with `abortTaskController`. `undefined` or `''`
   * means the item has no key.
   */
  keyOf?: (item: T) => string | undefined
}

/** Options of `parallelLimit` when it yields bare values. */
export interface ParallelLimitOptions<T> extends CommonOptions<T> {
  /** `true` yields settled records instead: see {@link ParallelLimitSettledOptions}. */
  returnSettled?: false
}

/** Options of `parallelLimit` when it yields settled records. */
export interface ParallelLimitSettledOptions<T> extends CommonOptions<T> {
  /**
   * Yield `{ status, value | error, item }` records instead of bare values; item failures are
   * yielded as `rejected` records and never thrown (so `errorPolicy` is ignored). Every item
   * that was started is yielded, cancelled ones included.
   */
  returnSettled: true
}

type AnyOptions<T> = ParallelLimitOptions<T> | ParallelLimitSettledOptions<T>

export type ParallelSettled<T, R> =
  | { status: 'fulfilled'; value: R; item: T }
  | { status: 'rejected'; error: unknown; item: T }

type Source<T> = Iterable<T> | AsyncIterable<T>
type Mapper<T, R> = (item: T, index: number) => R | PromiseLike<R>
type StreamMapper<T, C> = (item: T, index: number) => TaskStream<C>
type Outcome<T, R> = { item: T; key: string | undefined } & (
  | { ok: true; value: R }
  | { ok: false; error: unknown }
)

/**
 * Call `fn(item, index)` for each item of `items` with at most `limit` calls in progress, and
 * yield the results as they complete. Items are pulled lazily, one at a time, only while fewer
 * than `limit` items are running or waiting to be yielded, so a slow consumer holds the source
 * back instead of results piling up. Leaving early (`break`, `return()`, any throw) stops pulling
 * and closes the source with its `return()`, whose own error surfaces unless another is already
 * being thrown. Arguments are checked at call time: a bad one throws before any iteration.
 *
 * When `fn` returns a `TaskStream` (a call to a generator handler), its chunks are yielded one
 * by one, interleaved with other items' results as they arrive; the item counts as running until
 * its stream ends, and leaving early cancels the streams still running.
 */
export function parallelLimit<T, C>(
  items: Source<T>,
  limit: number,
  fn: StreamMapper<T, C>,
  options: ParallelLimitSettledOptions<T>,
): AsyncGenerator<ParallelSettled<T, C>, void, undefined>
export function parallelLimit<T, C>(
  items: Source<T>,
  limit: number,
  fn: StreamMapper<T, C>,
  options?: ParallelLimitOptions<T>,
): AsyncGenerator<C, void, undefined>
export function parallelLimit<T, R>(
  items: Source<T>,
  limit: number,
  fn: Mapper<T, R>,
  options: ParallelLimitSettledOptions<T>,
): AsyncGenerator<ParallelSettled<T, R>, void, undefined>
export function parallelLimit<T, R>(
  items: Source<T>,
  limit: number,
  fn: Mapper<T, R>,
  options?: ParallelLimitOptions<T>,
): AsyncGenerator<R, void, undefined>
export function parallelLimit<T, R>(
  items: Source<T>,
  limit: number,
  fn: Mapper<T, R>,
  options?: AnyOptions<T>,
): AsyncGenerator<R | ParallelSettled<T, R>, void, undefined>
export function parallelLimit<T, R>(
  items: Source<T>,
  limit: number,
  fn: Mapper<T, R>,
  options: AnyOptions<T> = {},
): AsyncGenerator<R | ParallelSettled<T, R>, void, undefined> {
  if (!isAsyncIterable(items) && !hasMethod(items, Symbol.iterator)) {
    fail(TypeError, `items must be an Iterable or AsyncIterable, received ${describe(items)}`)
  }
  if (!Number.isInteger(limit) || limit < 1) {
    fail(RangeError, `limit must be a positive integer, received ${describe(limit)}`)
  }
  requireFunction('fn', fn)
  if (options === null || typeof options !== 'object') {
    fail(TypeError, `options must be an object, received ${describe(options)}`)
  }
  // Read once, here: the run never touches the caller's object (its getters, a Proxy) again.
  options = readOptions('parallelLimit', options, OPTIONS) as AnyOptions<T>
  const { errorPolicy = 'fail-fast', abortTaskController, keyOf } = options
  if (errorPolicy !== 'fail-fast' && errorPolicy !== 'continue') {
    fail(
      TypeError,
      `errorPolicy must be "fail-fast" or "continue", received ${describe(errorPolicy)}`,
    )
  }
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    fail(TypeError, `signal must be an AbortSignal, received ${describe(options.signal)}`)
  }
  const { returnSettled } = options
  if (returnSettled !== undefined && typeof returnSettled !== 'boolean') {
    fail(TypeError, `returnSettled must be a boolean, received ${describe(returnSettled)}`)
  }
  if (options.onError !== undefined) requireFunction('onError', options.onError)
  if (keyOf !== undefined) requireFunction('keyOf', keyOf)
  if (abortTaskController !== undefined && !hasMethod(abortTaskController, 'isAborted')) {
    fail(
      TypeError,
      `abortTaskController must be an AbortTaskController, received ${describe(abortTaskController)}`,
    )
  }
  // A generator body only runs on the first next(), which is why checks live out here.
  return run(items, limit, fn, { ...options, errorPolicy })
}

const OPTIONS: ReadonlySet<string> = new Set([
  'errorPolicy',
  'onError',
  'signal',
  'abortTaskController',
  'keyOf',
  'returnSettled',
] satisfies Array<keyof ParallelLimitOptions<unknown> | 'returnSettled'>)

async function* run<T, R>(
  items: Source<T>,
  limit: number,
  fn: Mapper<T, R>,
  options: AnyOptions<T>,
): AsyncGenerator<R | ParallelSettled<T, R>, void, undefined> {
  const { signal, onError, returnSettled, abortTaskController: keys, keyOf } = options
  const failFast = options.errorPolicy === 'fail-fast' && !returnSettled
  signal?.throwIfAborted() // before opening the source: an aborted run touches nothing
  const iterator: Iterator<T> | AsyncIterator<T> = isAsyncIterable(items)
    ? items[Symbol.asyncIterator]()
    : items[Symbol.iterator]()

  const queue: Outcome<T, R>[] = [] // settled, not yet yielded, in completion order
  let running = 0
  let index = 0
  let pulling = false // one pull at a time: iterators need not support concurrent next()
  let sourceDone = false // exhausted or threw: either way it must not be closed again
  let closed = false
  let failure: { error: unknown; outcome?: Outcome<T, R> } | undefined
  // Streams being read, and their readers waiting for the consumer to make room.
  const streams = new Set<AsyncIterator<unknown>>()
  let roomWaiters: Array<() => void> = []
  const makeRoom = () => {
    const waiters = roomWaiters
    roomWaiters = []
    for (const resolve of waiters) resolve()
  }
  // Completions, pulls and the abort all just wake the loop, which owns every decision. (Racing
  // each wait against the signal instead would pile reactions onto one long-lived promise.)
  let wake: (() => void) | undefined
  const notify = () => {
    wake?.()
    wake = undefined
  }
  // The model's rule: either cancellation option turns it on; settled records report everything.
  const skipsCancelled = (signal !== undefined || keys !== undefined) && !returnSettled
  const skipped = (o: Outcome<T, R>) =>
    skipsCancelled &&
    ((o.key !== undefined && keys!.isAborted(o.key)) || (!o.ok && isAbortError(o.error)))

  const settle = (outcome: Outcome<T, R> | undefined) => {
    running--
    try {
      if (!closed && !failure && outcome) {
        if (failFast && !outcome.ok && !skipped(outcome)) {
          failure = { error: outcome.error, outcome }
        } else {
          queue.push(outcome)
        }
      }
    } catch (error) {
      // The controller's `isAborted` threw: that ends the run, as a source's error does. Thrown
      // here, in a promise's callback, it would be unhandled, and the loop would wait for ever.
      failure ??= { error }
    }
    notify()
  }
  const start = (item: T, position: number) => {
    running++
    let key: string | undefined
    // async wrapper: fn's synchronous throws (and keyOf's) become this item's rejection.
    ;(async () => {
      if (keys && keyOf) {
        key = keyOrNone(keyOf(item))
        if (key !== undefined && keys.isAborted(key)) return undefined // fn is never called
      }
      const result = fn(item, position)
      if (isChunkSource(result)) {
        await readStream(result, item, key)
        return undefined // its chunks went to the queue as they came
      }
      return { value: await result }
    })().then(
      (result) => settle(result && { item, key, ok: true, value: result.value }),
      (error: unknown) => settle({ item, key, ok: false, error }),
    )
  }
  /** Queues a stream's chunks as they come, holding it while the queue is full. */
  const readStream = async (stream: ChunkSource, item: T, key: string | undefined) => {
    const chunks = stream[chunksOf]()
    streams.add(chunks)
    try {
      for (;;) {
        const step = await chunks.next()
        if (step.done || closed || failure) return
        queue.push({ item, key, ok: true, value: step.value as R })
        notify()
        while (queue.length >= limit && !closed && !failure) {
          await new Promise<void>((resolve) => roomWaiters.push(resolve))
        }
      }
    } finally {
      // Still open: the consumer left or an item failed. Cancel the call rather than let its
      // generator wait at the window for ever.
      if (streams.delete(chunks) && (closed || failure)) void chunks.return?.()
    }
  }
  const pull = () => {
    pulling = true
    // The step is read inside the async wrapper too: a result that is not an object, or a `done`
    // or `value` getter that throws, is the source's failure, not an exception in a callback
    // that would leave the loop waiting for a pull that never ends.
    ;(async () => readStep(await iterator.next()))().then(
      (step) => {
        pulling = false
        if (step.done) sourceDone = true
        else if (!closed) start(step.value, index++)
        notify()
      },
      (error: unknown) => {
        pulling = false
        sourceDone = true
        failure ??= { error }
        notify()
      },
    )
  }

  let threw = false
  signal?.addEventListener('abort', notify)
  try {
    for (;;) {
      signal?.throwIfAborted()
      if (failure) {
        if (failure.outcome) onError?.(failure.error, failure.outcome.item)
        throw failure.error
      }
      const outcome = queue.shift()
      if (outcome) makeRoom()
      let result: { value: R | ParallelSettled<T, R> } | undefined
      if (outcome) {
        const { item } = outcome
        if (outcome.ok) {
          const { value } = outcome
          if (returnSettled) result = { value: { status: 'fulfilled', value, item } }
          else if (!skipped(outcome)) result = { value }
        } else {
          onError?.(outcome.error, item)
          if (returnSettled) result = { value: { status: 'rejected', error: outcome.error, item } }
          // Skipped when queued, but its key was cleared since: a failure after all.
          else if (failFast && !skipped(outcome)) throw outcome.error
        }
      }
      // Refill before yielding, so the next item is on its way while the consumer works.
      if (!pulling && !sourceDone && running + queue.length < limit) pull()
      if (result) yield result.value
      else if (!outcome) {
        if (sourceDone && !pulling && running === 0) return
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    }
  } catch (error) {
    threw = true
    throw error
  } finally {
    closed = true
    signal?.removeEventListener('abort', notify)
    makeRoom()
    for (const chunks of streams) void chunks.return?.()
    streams.clear()
    if (!sourceDone) {
      // A closing error surfaces only on a clean exit: it must not mask the error being thrown.
      // With a pull in flight an async generator would queue return() behind it, so don't wait.
      const detach = pulling
      const closing = (async () => {
        await iterator.return?.()
      })().catch((error: unknown) => {
        if (!threw && !detach) throw error
      })
      if (!detach) await closing
    }
  }
}

/** An iterator's result, checked as `for…of` checks it, its fields read once. */
function readStep<T>(step: IteratorResult<T>): { done: true } | { done: false; value: T } {
  if ((typeof step !== 'object' && typeof step !== 'function') || step === null) {
    fail(TypeError, `the source's next() must return an object, received ${describe(step)}`)
  }
  return step.done ? { done: true } : { done: false, value: step.value }
}

function isAsyncIterable<T>(items: Source<T>): items is AsyncIterable<T> {
  return hasMethod(items, Symbol.asyncIterator)
}

/** A key is a non-empty string; anything else means the item has no key. */
function keyOrNone(key: unknown): string | undefined {
  return typeof key === 'string' && key !== '' ? key : undefined
}

/** By name, as the model does: a DOMException, our AbortError, or one from another realm. */
function isAbortError(error: unknown): boolean {
  try {
    return typeof error === 'object' && error !== null && (error as Error).name === 'AbortError'
  } catch {
    // A `name` getter that throws, a revoked Proxy: not an AbortError, whatever else it is.
    return false
  }
}

function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') {
    fail(TypeError, `${name} must be a function, received ${describe(value)}`)
  }
}

function fail(type: new (message: string) => Error, message: string): never {
  throw new type(`parallelLimit: ${message}`)
}
