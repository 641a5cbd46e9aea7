/**
 * Every library the suite compares, behind one interface, each with a pool of 2 workers running
 * the same ops (`workers/ops.ts`). Only the messaging and the scheduling differ.
 *
 * - `bare`: raw `postMessage` and a hand-written protocol (id-tagged messages, a `Map` of
 *   resolvers). The floor.
 * - `comlink`: `wrap`/`expose`, one endpoint per worker.
 * - `Atelier`: `runtime.defineTask` over `expose(createTaskWorker(handlers))`, spans off.
 * - `workerpool`, `poolifier` (`poolifier-web-worker`), `threads` (threads.js `spawn` + `Pool`).
 *
 * bare and comlink talk to one worker per endpoint, so the pool is by hand: each call goes to the
 * worker with the fewest calls outstanding, ties alternating, the rule of Atelier's default
 * balancer (least-busy, ties round-robin), so sequential calls alternate between idle workers.
 * The peers use their own scheduling, with their defaults unless a factory option says otherwise.
 *
 * A contender's methods are one-line forwards to the library's call, the same thin layer for all.
 */

import { type Remote, releaseProxy, transfer, wrap } from 'comlink'
import { FixedThreadPool } from 'poolifier-web-worker'
import type { ModuleThread } from 'threads'
import { Pool, spawn, Transfer } from 'threads'
import * as workerpool from 'workerpool'
import {
  type BalancerName,
  createTaskRuntime,
  type QueuePolicy,
  type Task,
} from '../../packages/atelier/src/index'
import type { AtelierAPI } from './workers/atelier-handlers'
import type { BareOp, BareReply, BareRequest } from './workers/bare-protocol'
import type { ComlinkAPI } from './workers/comlink.worker'
import poolifierWorkerUrl from './workers/poolifier.worker.ts?worker&url'
import type { ThreadsAPI } from './workers/threads.worker'
import workerpoolWorkerUrl from './workers/workerpool.worker.ts?worker&url'

export const POOL_SIZE = 2

export interface Contender {
  name: string
  echo(value: number): Promise<number>
  spin(ms: number): Promise<number>
  /** Round-trips `buffer`: transferred both ways when `transfer`, else copied both ways. */
  bounce(buffer: ArrayBuffer, transfer: boolean): Promise<ArrayBuffer>
  /** Sends `buffer` (transferred) to be held briefly; resolves to how many the worker held. */
  hold(buffer: ArrayBuffer): Promise<number>
  /** Every worker spawned and answering. */
  start(): Promise<void>
  dispose(): Promise<void>
}

// --- bare postMessage --------------------------------------------------------------------------

export interface BareOptions {
  /** Most calls posted and unanswered at once; the rest wait in a local FIFO. @default Infinity */
  maxInFlight?: number
  /**
   * Between workers with as many calls outstanding: `'alternate'` takes turns, `'first'` takes
   * the first (so sequential calls all go to one worker, kept warm). @default 'alternate'
   */
  ties?: 'alternate' | 'first'
  /**
   * Talks to these workers, spawned and owned by someone else, rather than spawning its own
   * (resolved at `start()`; `dispose()` leaves them alone). For measuring on shared threads.
   */
  workers?: () => Promise<Worker[]>
}

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
  worker: number
}

export function createBare(name = 'bare postMessage', options: BareOptions = {}): Contender {
  const limit = options.maxInFlight ?? Number.POSITIVE_INFINITY
  const alternate = options.ties !== 'first'
  const workers: Worker[] = []
  const outstanding: number[] = []
  const pending = new Map<number, Pending>()
  const backlog: Array<[BareRequest, Transferable[], Pending]> = []
  let backlogHead = 0
  let inFlight = 0
  let nextId = 0
  let turn = 0

  function post(request: BareRequest, transferList: Transferable[], entry: Pending): void {
    let worker = 0
    if (alternate) {
      worker = turn
      turn = turn === POOL_SIZE - 1 ? 0 : turn + 1
    }
    for (let i = 0; i < POOL_SIZE; i++) if (outstanding[i]! < outstanding[worker]!) worker = i
    entry.worker = worker
    outstanding[worker]!++
    inFlight++
    pending.set(request.id, entry)
    workers[worker]!.postMessage(request, transferList)
  }

  function onReply(event: MessageEvent<BareReply>): void {
    const reply = event.data
    const entry = pending.get(reply.id)
    if (!entry) return
    pending.delete(reply.id)
    outstanding[entry.worker]!--
    inFlight--
    if (backlogHead < backlog.length) {
      const [request, transferList, next] = backlog[backlogHead]!
      backlog[backlogHead++] = undefined as never
      if (backlogHead === backlog.length) backlog.length = backlogHead = 0
      post(request, transferList, next)
    }
    if ('error' in reply) entry.reject(new Error(reply.error))
    else entry.resolve(reply.value)
  }

  function call<T>(op: BareOp, arg: unknown, transferList: Transferable[] = [], back = false) {
    return new Promise<T>((resolve, reject) => {
      const request: BareRequest = { id: nextId++, op, arg, back }
      const entry: Pending = { resolve: resolve as (value: unknown) => void, reject, worker: -1 }
      if (inFlight < limit) post(request, transferList, entry)
      else backlog.push([request, transferList, entry])
    })
  }

  return {
    name,
    echo: (value) => call<number>('echo', value),
    spin: (ms) => call<number>('spin', ms),
    bounce: (buffer, transfer) =>
      transfer
        ? call<ArrayBuffer>('bounce', buffer, [buffer], true)
        : call<ArrayBuffer>('bounce', buffer),
    hold: (buffer) => call<number>('hold', buffer, [buffer]),
    async start() {
      const borrowed = options.workers ? await options.workers() : undefined
      for (let i = workers.length; i < POOL_SIZE; i++) {
        const worker =
          borrowed?.[i] ??
          new Worker(new URL('./workers/bare.worker.ts', import.meta.url), { type: 'module' })
        worker.onmessage = onReply
        workers.push(worker)
        outstanding.push(0)
      }
      // One call per worker: each is loaded and answering.
      await Promise.all(workers.map(() => call('echo', 0)))
    },
    async dispose() {
      if (!options.workers) for (const worker of workers) worker.terminate()
      for (const entry of pending.values()) entry.reject(new Error('disposed'))
      pending.clear()
    },
  }
}

// --- comlink -----------------------------------------------------------------------------------

export function createComlink(name = 'comlink'): Contender {
  const workers: Worker[] = []
  const remotes: Array<Remote<ComlinkAPI>> = []
  const outstanding: number[] = []
  let turn = 0

  /** The remote with the fewest calls outstanding (ties alternate), counted until it settles. */
  function pick<T>(use: (remote: Remote<ComlinkAPI>) => Promise<T>): Promise<T> {
    let index = turn
    turn = turn === POOL_SIZE - 1 ? 0 : turn + 1
    for (let i = 0; i < POOL_SIZE; i++) if (outstanding[i]! < outstanding[index]!) index = i
    outstanding[index]!++
    return use(remotes[index]!).then(
      (value) => {
        outstanding[index]!--
        return value
      },
      (error: unknown) => {
        outstanding[index]!--
        throw error
      },
    )
  }

  return {
    name,
    echo: (value) => pick((remote) => remote.echo(value)),
    spin: (ms) => pick((remote) => remote.spin(ms)),
    bounce: (buffer, back) =>
      pick((remote) =>
        back ? remote.bounce(transfer(buffer, [buffer]), true) : remote.bounce(buffer, false),
      ),
    hold: (buffer) => pick((remote) => remote.hold(transfer(buffer, [buffer]))),
    async start() {
      for (let i = workers.length; i < POOL_SIZE; i++) {
        const worker = new Worker(new URL('./workers/comlink.worker.ts', import.meta.url), {
          type: 'module',
        })
        workers.push(worker)
        remotes.push(wrap<ComlinkAPI>(worker))
        outstanding.push(0)
      }
      await Promise.all(remotes.map((remote) => remote.echo(0)))
    },
    async dispose() {
      for (const remote of remotes) remote[releaseProxy]()
      for (const worker of workers) worker.terminate()
    },
  }
}

// --- Atelier -----------------------------------------------------------------------------------

export interface AtelierOptions {
  /** The task's worker factory. @default a new `workers/atelier.worker.ts` */
  worker?: () => Worker
  maxInFlight?: number
  maxQueueDepth?: number
  queuePolicy?: QueuePolicy
  balancer?: BalancerName
}

export interface AtelierContender extends Contender {
  task: Task<AtelierAPI>
}

export function createAtelier(name = 'Atelier', options: AtelierOptions = {}): AtelierContender {
  const runtime = createTaskRuntime({ observability: { spans: 'off' } })
  const { worker, ...config } = options
  const task = runtime.defineTask<AtelierAPI>({
    type: 'parallel',
    poolSize: POOL_SIZE,
    ...config,
    worker:
      worker ??
      (() =>
        new Worker(new URL('./workers/atelier.worker.ts', import.meta.url), { type: 'module' })),
  })
  const copy = task.with({ transfer: [], transferResult: false })
  return {
    name,
    task,
    echo: (value) => task.echo(value),
    spin: (ms) => task.spin(ms),
    bounce: (buffer, transfer) => (transfer ? task.bounce(buffer) : copy.bounce(buffer)),
    hold: (buffer) => task.hold(buffer),
    async start() {
      await task.startWorkers()
    },
    dispose: () => task.dispose(),
  }
}

/**
 * The floor and Atelier on the same two worker threads (`workers/shared.worker.ts` answers both
 * protocols). Each call still goes through its own library's whole path; only the threads are
 * common, so where the OS runs them, and how fast it wakes them, is common too.
 */
export function createSharedThreads(
  bareName: string,
  atelierName: string,
): { bare: Contender; atelier: AtelierContender } {
  const workers: Worker[] = []
  const atelier = createAtelier(atelierName, {
    worker: () => {
      const worker = new Worker(new URL('./workers/shared.worker.ts', import.meta.url), {
        type: 'module',
      })
      workers.push(worker)
      return worker
    },
  })
  const bare = createBare(bareName, {
    // Atelier spawns the threads (startWorkers() resolves once both are ready), the floor borrows them.
    workers: async () => {
      await atelier.start()
      return workers
    },
  })
  return { bare, atelier }
}

// --- workerpool --------------------------------------------------------------------------------

export interface WorkerpoolContender extends Contender {
  pool: workerpool.Pool
}

export function createWorkerpool(name = 'workerpool'): WorkerpoolContender {
  const pool = workerpool.pool(workerpoolWorkerUrl, {
    minWorkers: POOL_SIZE,
    maxWorkers: POOL_SIZE,
    workerType: 'web',
    workerOpts: { type: 'module' },
  })
  const exec = <T>(method: string, params: unknown[], transferList?: Transferable[]) =>
    pool.exec(method, params, transferList ? { transfer: transferList } : undefined) as Promise<T>
  return {
    name,
    pool,
    echo: (value) => exec('echo', [value]),
    spin: (ms) => exec('spin', [ms]),
    bounce: (buffer, transfer) =>
      transfer ? exec('bounce', [buffer, true], [buffer]) : exec('bounce', [buffer, false]),
    hold: (buffer) => exec('hold', [buffer], [buffer]),
    async start() {
      // workerpool starts its minWorkers at once; one call per worker, issued together so both
      // are busy, makes sure each has loaded.
      await Promise.all(Array.from({ length: POOL_SIZE }, () => exec('spin', [20])))
    },
    async dispose() {
      await pool.terminate(true)
    },
  }
}

// --- poolifier-web-worker ----------------------------------------------------------------------

export function createPoolifier(name = 'poolifier'): Contender {
  let pool: FixedThreadPool<unknown, unknown> | undefined
  const execute = <T>(data: unknown, fn: string, transferList?: Transferable[]) =>
    pool!.execute(data, fn, undefined, transferList) as Promise<T>
  return {
    name,
    echo: (value) => execute(value, 'echo'),
    spin: (ms) => execute(ms, 'spin'),
    // The result always comes back copied: poolifier's worker posts it without a transfer list.
    bounce: (buffer, transfer) => execute(buffer, 'bounce', transfer ? [buffer] : undefined),
    hold: (buffer) => execute(buffer, 'hold', [buffer]),
    async start() {
      pool ??= new FixedThreadPool(POOL_SIZE, new URL(poolifierWorkerUrl, location.href), {
        errorEventHandler: (event) => console.error('poolifier worker error:', event.message),
      })
      // The pool posts to a worker only once it is ready; a call per worker makes sure of it.
      await Promise.all(Array.from({ length: POOL_SIZE }, () => execute(20, 'spin')))
    },
    async dispose() {
      await pool?.destroy()
    },
  }
}

// --- threads.js --------------------------------------------------------------------------------

export interface ThreadsOptions {
  /** Calls a worker runs at once (threads' `Pool` option). @default 1 */
  concurrency?: number
}

export function createThreads(name = 'threads', options: ThreadsOptions = {}): Contender {
  type Thread = ModuleThread<ThreadsAPI>
  let pool: Pool<Thread> | undefined
  const queue = <T>(run: (thread: Thread) => Promise<T>) =>
    pool!.queue(run) as unknown as Promise<T>
  return {
    name,
    echo: (value) => queue((thread) => thread.echo(value)),
    spin: (ms) => queue((thread) => thread.spin(ms)),
    bounce: (buffer, transfer) =>
      queue(
        (thread) =>
          (transfer
            ? thread.bounce(Transfer(buffer) as unknown as ArrayBuffer, true)
            : thread.bounce(buffer, false)) as Promise<ArrayBuffer>,
      ),
    hold: (buffer) => queue((thread) => thread.hold(Transfer(buffer) as unknown as ArrayBuffer)),
    async start() {
      pool ??= Pool(
        () =>
          spawn<ThreadsAPI>(
            new Worker(new URL('./workers/threads.worker.ts', import.meta.url), {
              type: 'module',
            }) as never,
          ),
        { size: POOL_SIZE, ...(options.concurrency ? { concurrency: options.concurrency } : {}) },
      )
      await Promise.all(Array.from({ length: POOL_SIZE }, () => queue((t) => t.spin(20))))
    },
    async dispose() {
      await pool?.terminate(true)
    },
  }
}
