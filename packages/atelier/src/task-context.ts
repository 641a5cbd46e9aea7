/** What a handler receives as its last argument. */
export interface TaskContext {
  /** Aborts when the caller cancels the call (key, signal) or it times out. `reason` says which. */
  readonly signal: AbortSignal
  /** The call's cancellation key, if it has one. */
  readonly key: string | undefined
  /** Unique among the calls of one task. A string, as in the API Atelier keeps compatible. */
  readonly callId: string
  /** Throws the abort reason if the call was cancelled. Call it between steps of long work. */
  throwIfAborted(): void
  /**
   * Reports progress to the caller's `onProgress` (`task.with({ onProgress })`). Costs nothing
   * when the caller does not listen. Values are cloned; while the caller has not yet taken the
   * last one, later values replace each other, so only the latest is sent. Every value sent
   * arrives before the call settles.
   */
  progress(value: unknown): void
  /**
   * The call's W3C `traceparent`, when the caller traced it (`with({ trace })`) or called from
   * within an OpenTelemetry span: extract it (`propagation.extract`) to parent spans made here
   * in the caller's trace. Undefined otherwise: nothing is sent when tracing is off.
   */
  readonly traceparent: string | undefined
  /** The caller's W3C `tracestate`, when its OpenTelemetry context has one. */
  readonly tracestate: string | undefined
}

type AnyFunction = (...args: any[]) => any

/**
 * Drops a trailing `TaskContext` parameter from a parameter list. A trailing `any` stays: it
 * would match anything, and is far more likely a real argument than a context.
 */
export type WithoutContext<A extends unknown[]> = A extends [...infer Rest, infer Last]
  ? 0 extends 1 & Last
    ? A
    : [Last] extends [TaskContext]
      ? Rest
      : A
  : A

/**
 * What a call to a streaming method (a generator handler) returns: the chunks it yields, as an
 * async iterable, and a promise of all of them. Consumed once, one way or the other:
 * - `for await (const chunk of stream)` takes chunks as they come; the worker runs at most
 *   `streamWindow` chunks ahead of the loop, and leaving the loop (`break`, a throw) cancels the
 *   call;
 * - `await stream` collects every chunk into an array.
 */
export interface TaskStream<T> extends Promise<T[]>, AsyncIterable<T> {
  [Symbol.asyncIterator](): AsyncIterableIterator<T>
}

/** What a handler returning `R` becomes on the main thread (mapping twice changes nothing). */
type MainThreadResult<R> = 0 extends 1 & R
  ? Promise<any>
  : [R] extends [TaskStream<infer Y>]
    ? TaskStream<Y>
    : [R] extends [AsyncGenerator<infer Y, any, any>]
      ? TaskStream<Y>
      : [R] extends [Generator<infer Y, any, any>]
        ? TaskStream<Awaited<Y>>
        : Promise<Awaited<R>>

/**
 * The main-thread view of a handler object: each handler without its `TaskContext` parameter,
 * returning a promise, or a {@link TaskStream} for a generator. Non-function members are left out.
 * @example export type ResizeAPI = StripTaskContext<typeof handlers>
 */
export type StripTaskContext<T> = {
  [K in keyof T as T[K] extends AnyFunction ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: WithoutContext<A>) => MainThreadResult<R>
    : never
}

/** Handlers: each takes its arguments, then a {@link TaskContext}. */
export type TaskHandlers = Record<string, (...args: any[]) => unknown>
