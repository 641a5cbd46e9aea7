/**
 * Task configuration: the public option types (documented once, here) and their validation.
 * Invalid options throw at `defineTask`, naming the option and the value received, so a typo
 * fails where it was written rather than on the first call.
 */

import type { Trace } from './trace.js'

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

export interface TaskConfig<Args extends unknown[] = any[]> {
  /** `parallel`: a pool of workers. `singleton`: one worker (for stateful work, e.g. an encoder). */
  type: TaskType
  /**
   * Creates one worker. A factory, so any bundler's worker pattern works:
   * @example () => new Worker(new URL('./resize.worker.ts', import.meta.url), { type: 'module' })
   */
  worker: () => Worker
  /**
   * `lazy` spawns workers when calls need them; `eager` spawns the whole pool at definition.
   * @default 'lazy'
   */
  init?: 'lazy' | 'eager'
  /**
   * Number of workers. Parallel tasks only.
   * @default navigator.hardwareConcurrency, else 4
   */
  poolSize?: number
  /**
   * Derives a call's cancellation key from its arguments. `''` means the call has no key.
   * A key given with `task.with({ key })` takes precedence.
   * @example (image) => image.docId
   */
  keyOf?: (...args: Args) => string
  /**
   * Fails a call with `TimeoutError` if it has not settled this many ms after it was made
   * (waiting and queued time included). Unset: no timeout.
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
  /** A readable name for snapshots and errors. @default taskId */
  taskName?: string
  /** A stable id, unique within the runtime. @default generated (`task-1`, `task-2`, …) */
  taskId?: string
  /**
   * Most calls running at once across the task's workers.
   * @default poolSize for parallel, 1 for singleton
   */
  maxInFlight?: number
  /**
   * Most accepted calls waiting for a worker; beyond it `queuePolicy` applies.
   * @default 2 × maxInFlight for parallel, 2 for singleton
   */
  maxQueueDepth?: number
  /** @default 'block' */
  queuePolicy?: QueuePolicy
  /** Worker choice for parallel tasks. @default 'least-busy' */
  balancer?: BalancerName
  /**
   * Stop the workers after this many ms with nothing queued or running; the next call starts
   * them again. Unset: workers stay up.
   */
  idleTimeoutMs?: number
  /**
   * How long a cancelled or timed-out call may keep running in its worker before the worker is
   * terminated and replaced (its other calls then follow `crashPolicy`). A handler that ignores
   * `ctx.signal` would otherwise hold its worker until it returns. The trade-off: terminating
   * loses the worker's state (caches, warm-up) and interrupts the calls sharing it, and a fresh
   * worker costs a spawn. Unset: never terminate, wait for the handler.
   * @example 500
   */
  cancelGraceMs?: number
  /**
   * How long a new worker may take to load and answer the connect call. A worker that never
   * calls `expose(createTaskWorker(handlers))` raises no error of its own, so past this it counts
   * as crashed (and its calls follow `crashPolicy`) rather than leaving them pending forever.
   * Raise it for workers with heavy start-up (a large WASM module, a model).
   * @default 10_000
   */
  connectTimeoutMs?: number
}

/** Per-call options, set with `task.with(options)`. */
export interface TaskDispatchOptions {
  /** The call's cancellation key; overrides `keyOf`. `''` means no key. */
  key?: string
  /**
   * The caller's own cancellation. Combined with the key and the timeout: whichever fires first
   * wins. The call rejects with `signal.reason`.
   */
  signal?: AbortSignal
  /** Groups this call's span under a trace from `runtime.createTrace()`. */
  trace?: Trace
  /**
   * What to transfer rather than copy. Unset: every transferable found in the arguments.
   * `[]`: copy everything. A list: exactly those.
   */
  transfer?: Transferable[]
  /**
   * Transfer buffers found in the result back to the caller. `false` copies them, leaving the
   * worker's own buffers intact (for results the worker keeps, e.g. a cache).
   * @default true
   */
  transferResult?: boolean
}

export interface ResolvedTaskConfig {
  type: TaskType
  worker: () => Worker
  init: 'lazy' | 'eager'
  poolSize: number
  keyOf: ((...args: any[]) => string) | undefined
  timeoutMs: number | undefined
  crashPolicy: CrashPolicy
  crashMaxRetries: number
  taskId: string
  taskName: string
  maxInFlight: number
  maxQueueDepth: number
  queuePolicy: QueuePolicy
  balancer: BalancerName
  idleTimeoutMs: number | undefined
  cancelGraceMs: number | undefined
  connectTimeoutMs: number
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

/** Renders a received value for an error message: strings quoted, everything else by type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

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

function integer(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number, received ${describe(value)}`)
  }
  if (!Number.isInteger(value) || value < min) {
    const want = min === 0 ? 'a non-negative integer' : 'a positive integer'
    throw new RangeError(`${name} must be ${want}, received ${describe(value)}`)
  }
  return value
}

/** Milliseconds: a finite number > 0 (>= 0 with `allowZero`). */
function duration(name: string, value: unknown, allowZero = false): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number of milliseconds, received ${describe(value)}`)
  }
  if (!(allowZero ? value >= 0 : value > 0) || !Number.isFinite(value)) {
    const bound = allowZero ? '>= 0' : '> 0'
    throw new RangeError(
      `${name} must be a finite number of milliseconds ${bound}, received ${value}`,
    )
  }
  return value
}

function defaultPoolSize(): number {
  const cores = globalThis.navigator?.hardwareConcurrency
  return typeof cores === 'number' && cores > 0 ? cores : 4
}

/** Validates `config` and fills in defaults. Throws `TypeError`/`RangeError` naming the option. */
export function resolveTaskConfig(config: TaskConfig, generatedId: string): ResolvedTaskConfig {
  if (config === null || typeof config !== 'object') {
    throw new TypeError(`defineTask needs a config object, received ${describe(config)}`)
  }
  const type = oneOf('type', config.type, TASK_TYPES, undefined as unknown as TaskType)
  if (type === undefined) throw new TypeError('type is required: "parallel" or "singleton"')
  if (typeof config.worker !== 'function') {
    throw new TypeError(
      `worker must be a function that creates a Worker, received ${describe(config.worker)}`,
    )
  }
  if (config.keyOf !== undefined && typeof config.keyOf !== 'function') {
    throw new TypeError(`keyOf must be a function, received ${describe(config.keyOf)}`)
  }
  for (const name of ['taskId', 'taskName'] as const) {
    const value = config[name]
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new TypeError(`${name} must be a non-empty string, received ${describe(value)}`)
    }
  }

  const singleton = type === 'singleton'
  const requestedPool = integer('poolSize', config.poolSize, 1)
  if (singleton && requestedPool !== undefined && requestedPool !== 1) {
    throw new RangeError(
      `poolSize applies to parallel tasks; a singleton has one worker, received ${requestedPool}`,
    )
  }
  const poolSize = singleton ? 1 : (requestedPool ?? defaultPoolSize())
  const maxInFlight = integer('maxInFlight', config.maxInFlight, 1) ?? (singleton ? 1 : poolSize)
  const maxQueueDepth =
    integer('maxQueueDepth', config.maxQueueDepth, 0) ?? (singleton ? 2 : 2 * maxInFlight)
  const taskId = config.taskId ?? generatedId

  return {
    type,
    worker: config.worker,
    init: oneOf('init', config.init, INIT_MODES, 'lazy'),
    poolSize,
    keyOf: config.keyOf,
    timeoutMs: duration('timeoutMs', config.timeoutMs),
    crashPolicy: oneOf('crashPolicy', config.crashPolicy, CRASH_POLICIES, 'restart-fail-in-flight'),
    crashMaxRetries: integer('crashMaxRetries', config.crashMaxRetries, 0) ?? 3,
    taskId,
    taskName: config.taskName ?? taskId,
    maxInFlight,
    maxQueueDepth,
    queuePolicy: oneOf('queuePolicy', config.queuePolicy, QUEUE_POLICIES, 'block'),
    balancer: oneOf('balancer', config.balancer, BALANCERS, 'least-busy'),
    idleTimeoutMs: duration('idleTimeoutMs', config.idleTimeoutMs),
    cancelGraceMs: duration('cancelGraceMs', config.cancelGraceMs, true),
    connectTimeoutMs: duration('connectTimeoutMs', config.connectTimeoutMs) ?? 10_000,
  }
}
