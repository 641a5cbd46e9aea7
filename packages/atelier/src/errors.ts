/**
 * Every error Atelier raises on its own account. Each class sets `name` to its class name so
 * callers can branch on either `instanceof` or `error.name` (the latter survives realms and
 * structured cloning).
 */

import type { QueuePolicy } from './options.js'

/** A call was cancelled: by its key, by the caller's signal without a reason, or by shutdown. */
export class AbortError extends Error {
  override name = 'AbortError'
}

/** A call outlived its task's `timeoutMs`. Distinct from {@link AbortError}: nobody asked for it. */
export class TimeoutError extends Error {
  override name = 'TimeoutError'
  constructor(readonly timeoutMs: number) {
    super(`Task call timed out after ${timeoutMs} ms`)
  }
}

/** The admission queue refused or evicted a call; `policy` says which rule did it. */
export class QueueDropError extends Error {
  override name = 'QueueDropError'
  constructor(
    readonly policy: Exclude<QueuePolicy, 'block'>,
    readonly taskId: string,
  ) {
    super(
      policy === 'drop-oldest'
        ? `Task "${taskId}" evicted this call: a newer one arrived while the queue was full (queuePolicy "drop-oldest")`
        : `Task "${taskId}" refused this call: its queue is full (queuePolicy "${policy}")`,
    )
  }
}

/** The worker running (or about to run) a call died. `cause` is what the worker reported. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError'
  constructor(
    readonly taskId: string,
    readonly workerIndex: number,
    options?: { cause?: unknown; message?: string },
  ) {
    super(options?.message ?? `Worker ${workerIndex} of task "${taskId}" crashed`, {
      cause: options?.cause,
    })
  }
}

/** The task was disposed before the call could settle, or the call came after `dispose()`. */
export class TaskDisposedError extends Error {
  override name = 'TaskDisposedError'
  constructor(readonly taskId: string) {
    super(`Task "${taskId}" has been disposed`)
  }
}

/** The worker has no handler by that name. Raised inside the worker, cloned to the caller. */
export class UnknownMethodError extends Error {
  override name = 'UnknownMethodError'
  constructor(
    readonly method: string,
    readonly available: readonly string[],
  ) {
    super(
      `Unknown task method "${method}". Available: ${available.length ? available.join(', ') : '(none)'}`,
    )
  }
}
