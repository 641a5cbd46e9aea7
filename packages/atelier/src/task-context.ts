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
 * The main-thread view of a handler object: each handler without its `TaskContext` parameter,
 * returning a promise. Non-function members are left out.
 * @example export type ResizeAPI = StripTaskContext<typeof handlers>
 */
export type StripTaskContext<T> = {
  [K in keyof T as T[K] extends AnyFunction ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: WithoutContext<A>) => Promise<Awaited<R>>
    : never
}

/** Handlers: each takes its arguments, then a {@link TaskContext}. */
export type TaskHandlers = Record<string, (...args: any[]) => unknown>
