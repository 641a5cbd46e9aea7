/**
 * The Node contenders: each a pool of `worker_threads` workers running the same ops
 * (`workers/ops.ts`) behind its own library. Only the messaging and the scheduling differ.
 *
 * - `bare`: `worker.postMessage({ id, op, arg })` and a `Map` of resolvers by id. The floor.
 * - `Atelier`: `defineTask({ worker: () => new Worker(file) })` over `serve(handlers)`, spans off.
 * - `piscina`, `tinypool`: their pool over a module exporting the ops, with their defaults.
 * - `workerpool`: `workerpool.pool(file, { workerType: 'thread' })`, with its defaults.
 *
 * Every pool is created in `start()`, which resolves once each of its workers has answered a
 * call (see `everyThreadAnswered`), so no worker is still loading when the timing starts.
 */

import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { Tinypool } from 'tinypool'
import * as workerpool from 'workerpool'
import { createTaskRuntime } from '../../packages/atelier/src/index'
import type { AtelierOptions, BareOptions, NodeContender, NodeContenders } from './contender'
import type { AtelierAPI } from './workers/atelier.worker'
import type { BareOp, BareReply, BareRequest } from './workers/bare-protocol'

/** A bundled worker: `launch.mjs` writes each `workers/NAME.worker.ts` next to this bundle. */
function workerFile(name: string): URL {
  return new URL(`./${name}.worker.mjs`, import.meta.url)
}

/**
 * Calls `thread(ms)` on `size` workers at once, again until `size` distinct threads have
 * answered: a pool that picks its worker itself may hand a call to a worker still loading only
 * once it is ready, and every worker must be up before anything is timed.
 */
async function everyThreadAnswered(
  size: number,
  thread: (ms: number) => Promise<number>,
): Promise<void> {
  const seen = new Set<number>()
  for (let attempt = 0; attempt < 50 && seen.size < size; attempt++) {
    const ids = await Promise.all(Array.from({ length: size }, () => thread(20)))
    for (const id of ids) seen.add(id)
  }
  if (seen.size < size) throw new Error(`only ${seen.size} of ${size} workers answered`)
}

// --- bare postMessage --------------------------------------------------------------------------

interface Pending {
  resolve(value: number): void
  reject(error: Error): void
  worker: number
}

/**
 * The floor, by hand: each call to the worker with the fewest calls outstanding, ties taking
 * turns (Atelier's default rule, so both alternate sequential calls between idle workers), at
 * most `maxInFlight` posted, the rest in a FIFO.
 */
function bare(name: string, poolSize: number, options: BareOptions = {}): NodeContender {
  const limit = options.maxInFlight ?? Number.POSITIVE_INFINITY
  const workers: Worker[] = []
  const outstanding: number[] = []
  const pending = new Map<number, Pending>()
  const backlog: Array<[BareRequest, Pending] | undefined> = []
  let backlogHead = 0
  let inFlight = 0
  let nextId = 0
  let turn = 0

  function post(request: BareRequest, entry: Pending): void {
    let worker = turn
    turn = turn === poolSize - 1 ? 0 : turn + 1
    for (let i = 0; i < poolSize; i++) if (outstanding[i]! < outstanding[worker]!) worker = i
    entry.worker = worker
    outstanding[worker]!++
    inFlight++
    pending.set(request.id, entry)
    workers[worker]!.postMessage(request)
  }

  function onReply(reply: BareReply): void {
    const entry = pending.get(reply.id)
    if (!entry) return
    pending.delete(reply.id)
    outstanding[entry.worker]!--
    inFlight--
    if (backlogHead < backlog.length) {
      const [request, next] = backlog[backlogHead]!
      backlog[backlogHead++] = undefined
      if (backlogHead === backlog.length) backlog.length = backlogHead = 0
      post(request, next)
    }
    if ('error' in reply) entry.reject(new Error(reply.error))
    else entry.resolve(reply.value)
  }

  function call(op: BareOp, arg: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const request: BareRequest = { id: nextId++, op, arg }
      const entry: Pending = { resolve, reject, worker: -1 }
      if (inFlight < limit) post(request, entry)
      else backlog.push([request, entry])
    })
  }

  return {
    name,
    echo: (value) => call('echo', value),
    async start() {
      for (let i = workers.length; i < poolSize; i++) {
        const worker = new Worker(workerFile('bare'))
        worker.on('message', onReply)
        workers.push(worker)
        outstanding.push(0)
      }
      await everyThreadAnswered(poolSize, (ms) => call('thread', ms))
    },
    async dispose() {
      await Promise.all(workers.map((worker) => worker.terminate()))
      for (const entry of pending.values()) entry.reject(new Error('disposed'))
      pending.clear()
    },
  }
}

// --- Atelier -----------------------------------------------------------------------------------

function atelier(name: string, poolSize: number, options: AtelierOptions = {}): NodeContender {
  const runtime = createTaskRuntime({ observability: { spans: 'off' } })
  const task = runtime.defineTask<AtelierAPI>({
    type: 'parallel',
    poolSize,
    ...options,
    worker: () => new Worker(workerFile('atelier')),
  })
  return {
    name,
    echo: (value) => task.echo(value),
    async start() {
      await task.startWorkers()
      await everyThreadAnswered(poolSize, (ms) => task.thread(ms))
    },
    dispose: () => task.dispose(),
  }
}

// --- piscina, tinypool, workerpool -------------------------------------------------------------

/** piscina, and tinypool (its fork), have one API: a pool class over a worker file, and `run`. */
interface PiscinaLikePool {
  run(value: number, options: { name: string }): Promise<unknown>
  destroy(): Promise<void>
}
type PiscinaLikeClass = new (options: {
  filename: string
  minThreads: number
  maxThreads: number
}) => PiscinaLikePool

function piscinaLike(Pool: PiscinaLikeClass, name: string, poolSize: number): NodeContender {
  let pool: PiscinaLikePool | undefined
  const run = (value: number, method: string) =>
    pool!.run(value, { name: method }) as Promise<number>
  return {
    name,
    echo: (value) => run(value, 'echo'),
    async start() {
      pool ??= new Pool({
        filename: workerFile('module').href,
        minThreads: poolSize,
        maxThreads: poolSize,
      })
      await everyThreadAnswered(poolSize, (ms) => run(ms, 'thread'))
    },
    async dispose() {
      await pool?.destroy()
    },
  }
}

const piscina = (name: string, poolSize: number) =>
  piscinaLike(Piscina as unknown as PiscinaLikeClass, name, poolSize)
const tinypool = (name: string, poolSize: number) =>
  piscinaLike(Tinypool as unknown as PiscinaLikeClass, name, poolSize)

function createWorkerpool(name: string, poolSize: number): NodeContender {
  let pool: workerpool.Pool | undefined
  const exec = (method: string, value: number) =>
    pool!.exec(method, [value]) as unknown as Promise<number>
  return {
    name,
    echo: (value) => exec('echo', value),
    async start() {
      pool ??= workerpool.pool(fileURLToPath(workerFile('workerpool')), {
        minWorkers: poolSize,
        maxWorkers: poolSize,
        workerType: 'thread',
      })
      await everyThreadAnswered(poolSize, (ms) => exec('thread', ms))
    },
    async dispose() {
      await pool?.terminate(true)
    },
  }
}

export const contenders: NodeContenders = {
  bare,
  atelier,
  piscina,
  tinypool,
  workerpool: createWorkerpool,
}
