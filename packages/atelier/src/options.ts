/**
 * Task configuration: the public option types (documented once, here) and their validation.
 * Invalid options throw at `defineTask`, naming the option and the value received, so a typo
 * fails where it was written rather than on the first call.
 */

import { describe, textOf } from './describe.js'
import type { Trace } from './events.js'
import { hardwareConcurrency } from './host.js'
import {
  DEFAULT_PRIORITY_AGING_MS,
  PRIORITIES,
  priorityLevel,
  type TaskPriority,
} from './priority.js'
import type { WithoutContext } from './task-context.js'

/**
 * The endpoint a task talks to: post, listen, terminate. A web `Worker` (browsers, Deno, Bun) is
 * one; so can be a test double, or an adapter over some other host's channel. `error` events
 * are crashes: one carrying a `message` describes it.
 */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void
  terminate(): void
}

/**
 * Node's `worker_threads` Worker, which Atelier adapts to a {@link WorkerLike} itself: its
 * messages, its errors, and its `exit` (a worker that exits on its own is a crash). `ref` and
 * `unref` let an idle task's workers leave the process free to exit.
 */
export interface NodeWorkerLike {
  postMessage(message: unknown, transferList?: readonly any[]): void
  on(event: 'message' | 'error' | 'messageerror' | 'exit', listener: (value: any) => void): unknown
  terminate(): unknown
  ref?(): void
  unref?(): void
}

export type { TaskPriority }

export type TaskType = 'parallel' | 'singleton'

/**
 * What happens to a call that arrives while `maxQueueDepth` calls are already pending.
 * - `block`: the caller waits (FIFO) until there is room. Nothing is lost; memory is bounded by
 *   the callers themselves.
 * - `reject`: the new call fails at once with a `QueueDropError`.
 * - `drop-latest`: the new call is dropped (fails with a `QueueDropError`); the queue keeps its order.
 * - `drop-oldest`: the oldest pending call is evicted (fails with a `QueueDropError`) to admit the new one.
 */
export type QueuePolicy = 'block' | 'reject' | 'drop-latest' | 'drop-oldest'

/**
 * What a worker crash does to the calls running on that worker.
 * - `restart-fail-in-flight`: they fail with `WorkerCrashedError`; the worker is restarted.
 * - `restart-requeue-in-flight`: they go back to the front of the queue and run again on a
 *   restarted worker (at most `crashMaxRetries` times each).
 * - `fail-task`: every queued and running call fails, and so does every later call until
 *   `startWorkers()` is called.
 */
export type CrashPolicy = 'restart-fail-in-flight' | 'restart-requeue-in-flight' | 'fail-task'

/** How a parallel task picks the worker for the next call. */
export type BalancerName = 'least-busy' | 'round-robin'

type AnyFunction = (...args: any[]) => any

/** The argument lists of the methods of `T` (a task's API), as a union of tuples. */
type ArgumentLists<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => any ? WithoutContext<A> : never
}[keyof T]

/** The type of argument `I` across a union of argument lists: `undefined` where one is shorter. */
type Column<U, I extends number> = U extends unknown[]
  ? `${I}` extends keyof Required<U>
    ? Required<U>[I] | undefined
    : undefined
  : never

/**
 * What a single `keyOf` function receives: any method's arguments. Each position is the union of
 * what the methods pass there, and optional, since some methods pass fewer (or none): so
 * `(photo) => photo?.docId` type-checks, and `photo.docId` rightly does not when some method
 * takes no photo.
 */
export type MethodArgs<T> = 0 extends 1 & T
  ? any[]
  : [
      a0?: Column<ArgumentLists<T>, 0>,
      a1?: Column<ArgumentLists<T>, 1>,
      a2?: Column<ArgumentLists<T>, 2>,
      a3?: Column<ArgumentLists<T>, 3>,
      ...rest: unknown[],
    ]

/** Derives a call's cancellation key from its arguments; `undefined` (or `''`) means no key. */
export type KeyFunction<Args extends unknown[] = any[]> = (...args: Args) => string | undefined

/**
 * `keyOf`: one function for every method (it receives any method's arguments, so it is typed with
 * the union of their argument lists), or one function per method (methods left out have no key).
 */
export type KeyOf<T> =
  | KeyFunction<MethodArgs<T>>
  | (0 extends 1 & T
      ? Record<string, KeyFunction>
      : {
          [K in keyof T as T[K] extends AnyFunction ? K : never]?: T[K] extends (
            ...args: infer A
          ) => any
            ? KeyFunction<WithoutContext<A>>
            : never
        })

/** The longest delay a timer can hold (about 24.8 days); browsers wrap longer ones to 0. */
export const MAX_TIMER_MS = 2 ** 31 - 1
/** More workers than this would make every call's worker choice slow, and no machine has the cores. */
export const MAX_POOL_SIZE = 1024

export interface TaskConfig<T = any> {
  /** `parallel`: a pool of workers. `singleton`: one worker (for stateful work, e.g. an encoder). */
  type: TaskType
  /**
   * Creates one worker. A factory, so any bundler's worker pattern works, on any runtime: a web
   * `Worker` (browsers, Deno, Bun), a Node `worker_threads` Worker, or any {@link WorkerLike}.
   * @example () => new Worker(new URL('./resize.worker.ts', import.meta.url), { type: 'module' })
   * @example () => new NodeWorker(new URL('./resize.worker.js', import.meta.url)) // node:worker_threads
   */
  worker: () => WorkerLike | NodeWorkerLike
  /**
   * `lazy` spawns workers when calls need them; `eager` spawns the whole pool at definition.
   * @default 'lazy'
   */
  init?: 'lazy' | 'eager'
  /**
   * Number of workers, at most 1024. Parallel tasks only.
   * @default navigator.hardwareConcurrency, else 4
   */
  poolSize?: number
  /**
   * Derives a call's cancellation key from its arguments: one function for every method, or an
   * object with a function per method. Returning `undefined`, `null` or `''` means the call has
   * no key; anything else but a string fails the call with a `TypeError`. A key given with
   * `task.with({ key })` takes precedence.
   * @default undefined (calls have no key unless given one)
   * @example (photo) => photo.docId
   * @example { resize: (photo) => photo.docId }
   */
  keyOf?: KeyOf<T>
  /**
   * Fails a call with `TimeoutError` if it has not settled this many ms after it was made
   * (waiting and queued time included). At most 2^31-1; `Infinity` means no timeout.
   * @default undefined (no timeout)
   */
  timeoutMs?: number
  /** @default 'restart-fail-in-flight' */
  crashPolicy?: CrashPolicy
  /**
   * Consecutive crashes (with no call completing in between) that are restarted before the task
   * fails as under `fail-task`. Also the most times one call is requeued after crashes.
   * @default 3
   */
  crashMaxRetries?: number
  /** A readable name for snapshots and errors. @default the taskId */
  taskName?: string
  /** A stable id, unique within the runtime. @default generated (`task-1`, `task-2`, …) */
  taskId?: string
  /**
   * Most calls handed to the task's workers at once: a hard bound. Left unset, Atelier paces it:
   * one call per worker while the task's calls take longer than a round trip to the worker (so
   * uneven work stays even), and up to 16 per worker while every method's recent calls are
   * shorter (so a worker never idles a round trip between tiny calls). `getState().maxInFlight`
   * says which applies now.
   * @default paced: 1 per worker (poolSize, or 1 for a singleton), up to 16 per worker
   */
  maxInFlight?: number
  /**
   * Most accepted calls waiting for a worker; beyond it `queuePolicy` applies. Calls are refused
   * or held (`block`) once `maxInFlight + maxQueueDepth` are accepted; with a paced
   * `maxInFlight`, that bound moves with it.
   * @default 2 × maxInFlight for parallel (2 × poolSize when paced), 2 for singleton
   */
  maxQueueDepth?: number
  /** @default 'block' */
  queuePolicy?: QueuePolicy
  /** Worker choice for parallel tasks. @default 'least-busy' */
  balancer?: BalancerName
  /**
   * The priority of this task's calls, unless a call says otherwise (`with({ priority })`, or a
   * `TaskSignal`'s priority). @default 'user-visible'
   */
  priority?: TaskPriority
  /**
   * Aging: a queued call rises one priority level for every this many ms it waits, so no call
   * starves (a `background` call behind endless `user-blocking` ones goes within 2 × this, plus
   * the time to run the calls queued before it). `0` or `Infinity` turns aging off.
   * @default 500
   */
  priorityAgingMs?: number
  /**
   * Stop the workers after this many ms with nothing queued or running; the next call starts
   * them again. `Infinity`: never.
   * @default undefined (workers stay up)
   */
  idleTimeoutMs?: number
  /**
   * How long a cancelled or timed-out call may keep running in its worker before the worker is
   * terminated and replaced (its other calls then follow `crashPolicy`). A handler that ignores
   * `ctx.signal` would otherwise hold its worker until it returns. The trade-off: terminating
   * loses the worker's state (caches, warm-up) and interrupts the calls sharing it, and a fresh
   * worker costs a spawn. `Infinity`: never terminate, wait for the handler.
   * @default undefined (never terminate)
   * @example 500
   */
  cancelGraceMs?: number
  /**
   * How long a new worker may take to load and answer the connect call. A worker that never
   * calls `expose(createTaskWorker(handlers))` raises no error of its own, so past this it counts
   * as crashed (and its calls follow `crashPolicy`) rather than leaving them pending forever.
   * Raise it for workers with heavy start-up (a large WASM module, a model); `Infinity` waits
   * for ever.
   * @default 10_000
   */
  connectTimeoutMs?: number
  /**
   * How many chunks a streaming call's generator may run ahead of its consumer: its next `yield`
   * waits while that many are sent but not yet taken. Bounds the memory of a stream whatever the
   * producer's speed; larger windows keep a fast worker busier while the consumer works.
   * Per call: `task.with({ streamWindow })`.
   * @default 16
   */
  streamWindow?: number
}

/** The default of `streamWindow`. */
export const DEFAULT_STREAM_WINDOW = 16
/** The largest `streamWindow`: past this a window no longer bounds anything that matters. */
export const MAX_STREAM_WINDOW = 1_000_000

/** Per-call options, set with `task.with(options)`. */
export interface TaskDispatchOptions {
  /** The call's cancellation key; overrides `keyOf`. `''` means no key. @default from keyOf */
  key?: string
  /**
   * The caller's own cancellation. Combined with the key and the timeout: whichever fires first
   * wins. The call rejects with `signal.reason`.
   * @default undefined
   */
  signal?: AbortSignal
  /** Groups this call's span under a trace from `runtime.createTrace()`. @default undefined */
  trace?: Trace
  /**
   * What to transfer rather than copy. Unset: every transferable found in the arguments.
   * `[]`: copy everything. A list: exactly those.
   * @default undefined (transfer what is found)
   * @example task.with({ transfer: [image.data.buffer] }).process(image, lut)
   */
  transfer?: Transferable[]
  /**
   * Transfer buffers found in the result (or a stream's chunks) back to the caller. `false`
   * copies them, leaving the worker's own buffers intact (for results the worker keeps, e.g. a
   * cache).
   * @default true
   */
  transferResult?: boolean
  /**
   * Receives what the handler reports with `ctx.progress(value)`, in order, all before the call
   * settles. When the caller is slower than the worker, values reported meanwhile are coalesced
   * (only the latest is kept). Without it the handler's reports cost nothing.
   * @default undefined
   * @example task.with({ onProgress: (done) => bar.value = done }).encode(video)
   */
  onProgress?: (value: unknown) => void
  /** This call's stream window (see the task option). @default the task's, 16 */
  streamWindow?: number
  /**
   * This call's priority, over the task's. Without it, a `signal` that is a `TaskSignal` (from a
   * `TaskController`) gives the call its priority, and changing that priority re-orders the call
   * while it is queued. @default the signal's, else the task's
   */
  priority?: TaskPriority
}

/** Options with defaults filled in. A duration that is undefined means "never". */
export interface ResolvedTaskConfig {
  type: TaskType
  worker: () => WorkerLike
  init: 'lazy' | 'eager'
  poolSize: number
  /** The key function for one method, if calls to it get a key. */
  keyOfMethod: (method: string) => KeyFunction | undefined
  timeoutMs: number | undefined
  crashPolicy: CrashPolicy
  crashMaxRetries: number
  taskId: string
  taskName: string
  maxInFlight: number
  /**
   * The app left `maxInFlight` to Atelier: `maxInFlight` is one call per worker, raised to
   * several while the task's calls are short (see `engine/pacer.ts`).
   */
  adaptiveInFlight: boolean
  maxQueueDepth: number
  queuePolicy: QueuePolicy
  balancer: BalancerName
  idleTimeoutMs: number | undefined
  cancelGraceMs: number | undefined
  connectTimeoutMs: number | undefined
  streamWindow: number
  /** 0 `user-blocking`, 1 `user-visible`, 2 `background`. */
  priority: 0 | 1 | 2
  /** 0: aging off. */
  priorityAgingMs: number
}

const TASK_TYPES: readonly TaskType[] = ['parallel', 'singleton']
const QUEUE_POLICIES: readonly QueuePolicy[] = ['block', 'reject', 'drop-latest', 'drop-oldest']
const CRASH_POLICIES: readonly CrashPolicy[] = [
  'restart-fail-in-flight',
  'restart-requeue-in-flight',
  'fail-task',
]
const INIT_MODES = ['lazy', 'eager'] as const
const BALANCERS: readonly BalancerName[] = ['least-busy', 'round-robin']

function oneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T)) {
    throw new TypeError(
      `${name} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, received ${describe(value)}`,
    )
  }
  return value as T
}

function integer(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number, received ${describe(value)}`)
  }
  if (!Number.isInteger(value) || value < min) {
    const want = min === 0 ? 'a non-negative integer' : 'a positive integer'
    throw new RangeError(`${name} must be ${want}, received ${describe(value)}`)
  }
  if (value > max) throw new RangeError(`${name} must be at most ${max}, received ${value}`)
  return value
}

/**
 * Milliseconds: a number > 0 (>= 0 with `allowZero`) that a timer can hold, or `Infinity` for
 * "never" (returned as undefined). Larger finite values are refused rather than armed: a timer
 * given more than 2^31-1 ms fires at once.
 */
function duration(name: string, value: unknown, allowZero = false): number | undefined {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return undefined
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number of milliseconds, received ${describe(value)}`)
  }
  if (!(allowZero ? value >= 0 : value > 0) || Number.isNaN(value)) {
    const bound = allowZero ? '>= 0' : '> 0'
    throw new RangeError(`${name} must be a number of milliseconds ${bound}, received ${value}`)
  }
  if (value > MAX_TIMER_MS) {
    throw new RangeError(
      `${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days), or Infinity for no limit, received ${value}`,
    )
  }
  return value
}

export const TASK_OPTIONS: ReadonlySet<string> = new Set([
  'type',
  'worker',
  'init',
  'poolSize',
  'keyOf',
  'timeoutMs',
  'crashPolicy',
  'crashMaxRetries',
  'taskName',
  'taskId',
  'maxInFlight',
  'maxQueueDepth',
  'queuePolicy',
  'balancer',
  'idleTimeoutMs',
  'cancelGraceMs',
  'connectTimeoutMs',
  'streamWindow',
  'priority',
  'priorityAgingMs',
] satisfies Array<keyof TaskConfig>)

export const DISPATCH_OPTIONS: ReadonlySet<string> = new Set([
  'key',
  'signal',
  'trace',
  'transfer',
  'transferResult',
  'onProgress',
  'streamWindow',
  'priority',
] satisfies Array<keyof TaskDispatchOptions>)

/** Refuses own keys that are not options, suggesting the one meant when it is a near miss. */
export function rejectUnknownOptions(where: string, options: object, known: ReadonlySet<string>) {
  let names: string[]
  try {
    names = Object.keys(options)
  } catch (error) {
    // A revoked Proxy, or one whose ownKeys trap throws.
    throw new TypeError(`${where}: its options could not be read: ${textOf(error)}`, {
      cause: error,
    })
  }
  for (const name of names) {
    if (known.has(name)) continue
    const meant = closest(name, known)
    throw new TypeError(
      `${where} has no option "${name}"${meant ? `; did you mean "${meant}"?` : ''} (options: ${[...known].join(', ')})`,
    )
  }
}

/**
 * Reads `known` options off an app's object once, into a plain record: whatever its getters or
 * Proxy traps do then happens here, named, and never again on a later path.
 */
export function readOptions(
  where: string,
  options: object,
  known: ReadonlySet<string>,
): Record<string, unknown> {
  rejectUnknownOptions(where, options, known)
  const record: Record<string, unknown> = Object.create(null)
  for (const name of known) {
    try {
      record[name] = (options as Record<string, unknown>)[name]
    } catch (error) {
      throw new TypeError(`${where}: reading ${name} threw: ${textOf(error)}`, { cause: error })
    }
  }
  return record
}

/** The known name within two edits of `name` (case aside), if any. */
function closest(name: string, known: ReadonlySet<string>): string | undefined {
  const lower = name.toLowerCase()
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitute)
    }
    previous = current
  }
  return previous[b.length]!
}

/** `keyOf` as the executor uses it: the function for one method, or none. */
function resolveKeyOf(keyOf: unknown): ResolvedTaskConfig['keyOfMethod'] {
  if (keyOf === undefined) return () => undefined
  if (typeof keyOf === 'function') {
    const fn = keyOf as KeyFunction
    return () => fn
  }
  if (keyOf === null || typeof keyOf !== 'object') {
    throw new TypeError(
      `keyOf must be a function or an object of functions by method, received ${describe(keyOf)}`,
    )
  }
  const byMethod = new Map<string, KeyFunction>()
  let entries: Array<[string, unknown]>
  try {
    entries = Object.keys(keyOf).map((method) => [
      method,
      (keyOf as Record<string, unknown>)[method],
    ])
  } catch (error) {
    throw new TypeError(`keyOf could not be read: ${textOf(error)}`, { cause: error })
  }
  for (const [method, fn] of entries) {
    if (typeof fn !== 'function') {
      throw new TypeError(`keyOf.${method} must be a function, received ${describe(fn)}`)
    }
    byMethod.set(method, fn as KeyFunction)
  }
  return (method) => byMethod.get(method)
}

/** What a call keeps of its trace: read once, at `with()`, so a forged trace cannot bite later. */
export type TraceRef = Readonly<Pick<Trace, 'id' | 'name' | 'sampled'>>

/** Per-call options as calls carry them: validated and copied. */
export type ResolvedDispatchOptions = Omit<TaskDispatchOptions, 'trace'> & { trace?: TraceRef }

/**
 * Validates per-call options (`task.with(options)`) and copies them, so a call never reads a
 * caller's object (its getters, a Proxy) on the dispatch path.
 */
export function resolveDispatchOptions(options: unknown): ResolvedDispatchOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`with() needs an options object, received ${describe(options)}`)
  }
  const { key, signal, trace, transfer, transferResult, onProgress, streamWindow, priority } =
    readOptions('with()', options, DISPATCH_OPTIONS)
  const out: ResolvedDispatchOptions = {}
  if (key !== undefined) {
    if (typeof key !== 'string') {
      throw new TypeError(`with(): key must be a string, received ${describe(key)}`)
    }
    out.key = key
  }
  if (signal !== undefined) {
    if (!isAbortSignal(signal)) {
      throw new TypeError(`with(): signal must be an AbortSignal, received ${describe(signal)}`)
    }
    out.signal = signal
  }
  if (trace !== undefined) out.trace = traceRef(trace)
  if (transfer !== undefined) out.transfer = transferList(transfer)
  if (transferResult !== undefined) {
    if (typeof transferResult !== 'boolean') {
      throw new TypeError(
        `with(): transferResult must be a boolean, received ${describe(transferResult)}`,
      )
    }
    out.transferResult = transferResult
  }
  if (onProgress !== undefined) {
    if (typeof onProgress !== 'function') {
      throw new TypeError(`with(): onProgress must be a function, received ${describe(onProgress)}`)
    }
    out.onProgress = onProgress as (value: unknown) => void
  }
  if (streamWindow !== undefined) {
    out.streamWindow = integer('with(): streamWindow', streamWindow, 1, MAX_STREAM_WINDOW)
  }
  if (priority !== undefined)
    out.priority = oneOf('with(): priority', priority, PRIORITIES, 'user-visible')
  return out
}

function traceRef(trace: unknown): TraceRef {
  let id: unknown
  let name: unknown
  let sampled: unknown
  try {
    if (typeof trace === 'object' && trace !== null) ({ id, name, sampled } = trace as Trace)
  } catch (error) {
    throw new TypeError(`with(): reading the trace threw: ${textOf(error)}`, { cause: error })
  }
  if (
    typeof id !== 'string' ||
    typeof sampled !== 'boolean' ||
    !(name === undefined || typeof name === 'string')
  ) {
    throw new TypeError(
      `with(): trace must be a trace from runtime.createTrace(), received ${describe(trace)}`,
    )
  }
  return Object.freeze({ id, name, sampled })
}

/** Checked here, not by `postMessage` at dispatch, so the error names the option. */
function transferList(transfer: unknown): Transferable[] {
  let list: unknown[] | undefined
  try {
    if (Array.isArray(transfer)) list = Array.from(transfer)
  } catch (error) {
    throw new TypeError(`with(): transfer could not be read: ${textOf(error)}`, { cause: error })
  }
  if (list === undefined) {
    throw new TypeError(
      `with(): transfer must be an array of transferables (or [] to copy everything), received ${describe(transfer)}`,
    )
  }
  list.forEach((item, i) => {
    const proto =
      typeof item === 'object' && item !== null ? Object.getPrototypeOf(item) : undefined
    if (
      proto === undefined ||
      proto === null ||
      proto === Object.prototype ||
      Array.isArray(item)
    ) {
      throw new TypeError(
        `with(): transfer[${i}] must be a transferable (an ArrayBuffer, a MessagePort, an ImageBitmap, a stream…), received ${describe(item)}`,
      )
    }
  })
  return list as Transferable[]
}

/**
 * The platform's own brand check (the `aborted` getter refuses anything but a real signal), so a
 * signal from another realm (an iframe) passes where `instanceof` would refuse it.
 */
const abortedGetter =
  typeof AbortSignal !== 'undefined'
    ? Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get
    : undefined

export function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null) return false
  try {
    if (abortedGetter !== undefined) {
      abortedGetter.call(value)
      return true
    }
    const signal = value as Partial<AbortSignal>
    return typeof signal.addEventListener === 'function' && typeof signal.aborted === 'boolean'
  } catch {
    return false
  }
}

/** Validates `config` and fills in defaults. Throws `TypeError`/`RangeError` naming the option. */
export function resolveTaskConfig(given: TaskConfig, generatedId: string): ResolvedTaskConfig {
  if (given === null || typeof given !== 'object') {
    throw new TypeError(`defineTask needs a config object, received ${describe(given)}`)
  }
  const config = readOptions('defineTask', given, TASK_OPTIONS) as unknown as TaskConfig
  const type = oneOf('type', config.type, TASK_TYPES, undefined as unknown as TaskType)
  if (type === undefined) throw new TypeError('type is required: "parallel" or "singleton"')
  if (typeof config.worker !== 'function') {
    throw new TypeError(
      `worker must be a function that creates a Worker, received ${describe(config.worker)}`,
    )
  }
  for (const name of ['taskId', 'taskName'] as const) {
    const value = config[name]
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new TypeError(`${name} must be a non-empty string, received ${describe(value)}`)
    }
  }

  const singleton = type === 'singleton'
  const requestedPool = integer('poolSize', config.poolSize, 1, MAX_POOL_SIZE)
  if (singleton && requestedPool !== undefined && requestedPool !== 1) {
    throw new RangeError(
      `poolSize applies to parallel tasks; a singleton has one worker, received ${requestedPool}`,
    )
  }
  const poolSize = singleton ? 1 : (requestedPool ?? Math.min(hardwareConcurrency(), MAX_POOL_SIZE))
  const explicitInFlight = integer('maxInFlight', config.maxInFlight, 1)
  const maxInFlight = explicitInFlight ?? (singleton ? 1 : poolSize)
  const maxQueueDepth =
    integer('maxQueueDepth', config.maxQueueDepth, 0) ?? (singleton ? 2 : 2 * maxInFlight)
  const taskId = config.taskId ?? generatedId

  return {
    type,
    worker: config.worker as () => WorkerLike,
    init: oneOf('init', config.init, INIT_MODES, 'lazy'),
    poolSize,
    keyOfMethod: resolveKeyOf(config.keyOf),
    timeoutMs: duration('timeoutMs', config.timeoutMs),
    crashPolicy: oneOf('crashPolicy', config.crashPolicy, CRASH_POLICIES, 'restart-fail-in-flight'),
    crashMaxRetries: integer('crashMaxRetries', config.crashMaxRetries, 0) ?? 3,
    taskId,
    taskName: config.taskName ?? taskId,
    maxInFlight,
    adaptiveInFlight: explicitInFlight === undefined,
    maxQueueDepth,
    queuePolicy: oneOf('queuePolicy', config.queuePolicy, QUEUE_POLICIES, 'block'),
    balancer: oneOf('balancer', config.balancer, BALANCERS, 'least-busy'),
    idleTimeoutMs: duration('idleTimeoutMs', config.idleTimeoutMs),
    cancelGraceMs: duration('cancelGraceMs', config.cancelGraceMs, true),
    connectTimeoutMs:
      config.connectTimeoutMs === undefined
        ? 10_000
        : duration('connectTimeoutMs', config.connectTimeoutMs),
    streamWindow:
      integer('streamWindow', config.streamWindow, 1, MAX_STREAM_WINDOW) ?? DEFAULT_STREAM_WINDOW,
    priority: priorityLevel(oneOf('priority', config.priority, PRIORITIES, 'user-visible')),
    priorityAgingMs:
      config.priorityAgingMs === undefined
        ? DEFAULT_PRIORITY_AGING_MS
        : (duration('priorityAgingMs', config.priorityAgingMs, true) ?? 0),
  }
}

// ---- the runtime -----------------------------------------------------------------------

export type SpansMode = 'auto' | 'on' | 'off'

export interface ObservabilityConfig {
  /**
   * Spans (one per call) and traces. `'auto'` is on in development builds and off in production
   * ones: by Vite's `import.meta.env.DEV`, else by `process.env.NODE_ENV` as your bundler's
   * `define` replaced it (or the host's own), else on.
   * `sampleRate` (0..1, clamped) keeps that share of traces, or of calls made outside a trace.
   * @default 'auto' with sampleRate 1
   * @example { spans: { mode: 'on', sampleRate: 0.1 } }
   */
  spans?: SpansMode | { mode?: SpansMode; sampleRate?: number }
  /**
   * Where sampled spans and traces show besides the event stream. `'tracks'` (or `true`): bars
   * on Atelier's own tracks in a DevTools Performance recording (`console.timeStamp`:
   * 0.1–0.3 µs each, nothing kept in memory). `'entries'`: `performance.measure` entries that a
   * `PerformanceObserver` or a RUM tool can read, drawn on the same tracks (4–5 µs each). Both
   * are made when the page is idle. `false`: neither.
   * @default 'tracks'
   */
  measures?: boolean | 'tracks' | 'entries'
}

export interface TaskRuntimeConfig {
  /** Spans, traces and DevTools tracks. @default spans 'auto', measures 'tracks' */
  observability?: ObservabilityConfig
}
