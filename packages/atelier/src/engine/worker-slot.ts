/**
 * One place in a task's pool: the life of the worker that fills it (spawn, ready, crash,
 * backoff, terminate) and the calls running on it. The slot knows nothing of queues or
 * policies; it reports what its worker says and does through {@link SlotOwner}.
 */

import type { WorkerLike } from '../options.js'
import type {
  ComlinkApplyMessage,
  ErrorMessage,
  ExecutorMessage,
  HarnessMessage,
  ResultMessage,
} from '../wire/protocol.js'
import type { BalancerSlot } from './balancer.js'
import { type HostWorker, hostWorker, isNodeWorker } from './host-worker.js'
import { Outbox } from './outbox.js'
import { holdProcess } from './timer.js'

export interface SlotOwner<C> {
  /** The worker is ready; `streaming` are its generator handlers' names. */
  onReady(slot: WorkerSlot<C>, streaming: ReadonlySet<string>): void
  /** A result, an error or an unreadable-message report (readiness and closing are handled here). */
  onMessage(slot: WorkerSlot<C>, message: HarnessMessage): void
  /** A message from the worker arrived empty: one of its calls' answers may be lost. */
  onUnreadable(slot: WorkerSlot<C>): void
  /** The worker died. `calls` were running on it; the slot has already forgotten them. */
  onCrash(slot: WorkerSlot<C>, cause: Error, calls: C[]): void
  /** Posts the calls waiting in the slot's outbox: before anything else is said to the worker. */
  flush(slot: WorkerSlot<C>): void
}

export type SlotState =
  /** No worker; a call would spawn one. */
  | 'idle'
  /**
   * Worker spawned, not ready yet. Nothing is posted to it but the connect call: a worker that
   * sets itself up before serving (awaiting a WASM module, a model) would drop calls sent early.
   */
  | 'starting'
  | 'ready'
  /** Crashed; waiting out the restart delay. */
  | 'backoff'

const CONNECT_ID = 'atelier:connect'
const NO_TRANSFER: Transferable[] = []

/** comlink's reply to our connect call when applying it threw (comlink's `HANDLER` "throw"). */
function isFailedConnect(data: unknown): boolean {
  const reply = data as { id?: unknown; type?: unknown; name?: unknown } | null | undefined
  return reply?.id === CONNECT_ID && reply.type === 'HANDLER' && reply.name === 'throw'
}

/**
 * Ours and well formed, as opposed to comlink's reply to the connect call, the app's own
 * messages, or something shaped like ours that a library in the worker posted. What fails this
 * check is ignored: it cannot name a call, so it cannot settle one.
 */
function isHarnessMessage(data: unknown): data is HarnessMessage {
  if (!Array.isArray(data)) return false
  switch (data[0]) {
    case 'atelier:result':
    case 'atelier:progress':
      return data.length >= 3 && typeof data[1] === 'number'
    case 'atelier:chunks':
      return typeof data[1] === 'number' && Array.isArray(data[2])
    case 'atelier:end':
      return typeof data[1] === 'number'
    case 'atelier:error':
      return typeof data[1] === 'number' && typeof data[2] === 'object' && data[2] !== null
    case 'atelier:unreadable':
      return typeof data[1] === 'number'
    case 'atelier:answered':
    case 'atelier:answers':
      return Array.isArray(data[1])
    case 'atelier:ready':
    case 'atelier:closing':
      return true
    default:
      return false
  }
}

/** One answer of an `atelier:answers` message, well formed; anything else in it is ignored. */
export function isAnswer(data: unknown): data is ResultMessage | ErrorMessage {
  if (!Array.isArray(data)) return false
  const type: unknown = data[0]
  return (type === 'atelier:result' || type === 'atelier:error') && isHarnessMessage(data)
}

/** The names in a ready message's list; a harness of an older version sends none. */
function namesOf(list: unknown): ReadonlySet<string> {
  const names = new Set<string>()
  if (Array.isArray(list)) for (const name of list) if (typeof name === 'string') names.add(name)
  return names
}

/** Workers in use by some slot: one Worker returned for two slots would answer both. */
const inUse = new WeakSet<object>()
/** Workers a slot terminated: one handed back again (a cached Worker) would never answer. */
const retired = new WeakSet<object>()

/** Why `value` cannot serve as a worker, or undefined if it can. */
function notAWorker(value: unknown): string | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return `it returned ${value === null ? 'null' : typeof value}`
  }
  if (typeof (value as PromiseLike<unknown>).then === 'function') {
    // Whatever it resolves to would run unowned: terminate it when it comes.
    Promise.resolve(value).then(
      (worker) => (worker as Partial<WorkerLike> | null)?.terminate?.(),
      () => {},
    )
    return 'it returned a Promise: create the Worker synchronously (is the factory declared async?)'
  }
  const listens = isNodeWorker(value) ? 'on' : 'addEventListener'
  const missing = ['postMessage', listens, 'terminate'].filter(
    (name) => typeof (value as Record<string, unknown>)[name] !== 'function',
  )
  if (missing.length > 0) return `it returned an object without ${missing.join(', ')}`
  if (inUse.has(value)) {
    return 'it returned a Worker that another slot already uses: create a new Worker on each call'
  }
  if (retired.has(value)) {
    return 'it returned a Worker that was already terminated: create a new Worker on each call'
  }
  return undefined
}

export class WorkerSlot<C> implements BalancerSlot {
  state: SlotState = 'idle'
  /**
   * Calls given to this worker and not yet answered, by call id: posted, or waiting in the
   * outbox to be posted at the end of the turn.
   */
  readonly calls = new Map<number, C>()
  readonly outbox = new Outbox<C>()
  /** A call went to its worker at once this turn: the next ones wait for the turn's end. */
  postedThisTurn = false
  /** When its worker last answered a call (`performance.now()`); see `pacer.ts`. */
  lastAnswerAt = 0
  /** When it last made progress: its last answer, or the call that ended an idle spell. */
  progressAt = 0
  /** Crashes since this slot last completed a call: drives the restart delay. */
  crashStreak = 0
  #worker: HostWorker | undefined
  /** What the factory returned (the same object, or the Node worker behind the adapter). */
  #made: object | undefined
  /** The task has work: its workers keep the process alive (Node, Bun); idle, they do not. */
  #keepsAlive = false
  #connectTimer: ReturnType<typeof setTimeout> | undefined
  #restartTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly index: number,
    readonly owner: SlotOwner<C>,
    readonly createWorker: () => WorkerLike,
    /**
     * How long the worker may take to say it is ready before it counts as crashed; undefined
     * waits for ever.
     */
    readonly connectTimeoutMs: number | undefined,
  ) {}

  /** Can take a call: ready, or idle (taking it means spawning a worker first). */
  get isAvailable(): boolean {
    return this.state === 'ready' || this.state === 'idle'
  }

  get isAlive(): boolean {
    return this.state === 'starting' || this.state === 'ready'
  }

  get load(): number {
    return this.calls.size
  }

  /** Spawns the worker if there is none. Never throws: a factory that throws is a crash. */
  start(): void {
    if (this.state !== 'idle') return
    this.state = 'starting'
    let worker: HostWorker
    try {
      const made: unknown = this.createWorker()
      const problem = notAWorker(made)
      if (problem !== undefined) {
        throw new TypeError(`The worker factory must return a new Worker, but ${problem}`)
      }
      inUse.add(made as object)
      this.#made = made as object
      worker = hostWorker(made as object)
      this.#worker = worker
      this.#applyKeepAlive()
      this.#listen(worker)
      if (this.connectTimeoutMs !== undefined) this.#armConnectTimer(worker, this.connectTimeoutMs)
      const connect: ComlinkApplyMessage = {
        id: CONNECT_ID,
        type: 'APPLY',
        path: ['__atelierConnect'],
        argumentList: [],
      }
      worker.postMessage(connect, NO_TRANSFER)
    } catch (error) {
      this.#crash(error instanceof Error ? error : new Error(String(error)))
    }
  }

  #listen(worker: HostWorker): void {
    // Listeners check that the worker is still ours: events already queued for a worker we
    // terminated (a late crash, a late answer) must not touch its successor.
    worker.addEventListener('error', (event) => {
      // Handled here: left uncancelled, the browser would re-raise it in the page's global scope.
      event.preventDefault()
      if (this.#worker === worker) this.#crash(describeWorkerError(event))
    })
    // A message that cannot be read is not a dead worker: ask which answer it was (if it was one).
    worker.addEventListener('messageerror', () => {
      if (this.#worker === worker && this.state === 'ready') this.owner.onUnreadable(this)
    })
    worker.addEventListener('message', (event: MessageEvent) => {
      if (this.#worker !== worker) return
      const message: unknown = event.data
      if (isHarnessMessage(message)) this.#receive(message)
      else if ((message === null || message === undefined) && this.state === 'ready') {
        // What the browser delivers for a message it could not clone whole.
        this.owner.onUnreadable(this)
      } else if (isFailedConnect(message)) {
        // comlink answered our connect call with an error: whatever is exposed, it is not ours.
        this.#crash(
          new Error(
            'The worker does not serve a task harness: expected serve(handlers) or expose(createTaskWorker(handlers))',
          ),
        )
      }
    })
  }

  #receive(message: HarnessMessage): void {
    switch (message[0]) {
      case 'atelier:ready':
        // The harness says so when it starts and again when asked; only the first counts.
        if (this.state !== 'starting') return
        clearTimeout(this.#connectTimer)
        this.state = 'ready'
        this.owner.onReady(this, namesOf(message[2]))
        return
      case 'atelier:closing': {
        if (this.#worker?.reportsEnd) return
        const how = typeof message[1] === 'string' ? message[1] : 'self.close()'
        this.#crash(new Error(`The worker ended itself (${how}): its calls cannot be answered`))
        return
      }
      default:
        this.owner.onMessage(this, message)
    }
  }

  /** A worker that never serves the harness raises no error either; without this it would hang. */
  #armConnectTimer(worker: HostWorker, ms: number): void {
    this.#connectTimer = setTimeout(() => {
      if (this.#worker === worker && this.state === 'starting') {
        this.#crash(
          new Error(
            `The worker did not connect within ${ms} ms (connectTimeoutMs): does it call serve(handlers) or expose(createTaskWorker(handlers))?`,
          ),
        )
      }
    }, ms)
    holdProcess(this.#connectTimer, this.#keepsAlive)
  }

  /** Whether the worker may keep the process alive: while its task has work (Node, Bun). */
  keepAlive(keep: boolean): void {
    if (keep === this.#keepsAlive) return
    this.#keepsAlive = keep
    this.#applyKeepAlive()
  }

  #applyKeepAlive(): void {
    const keep = this.#keepsAlive
    // Node's timers hold the process too: a restart or a connect deadline of an idle task must
    // not. (Browsers' timer handles are numbers, with nothing to call.)
    holdProcess(this.#restartTimer, keep)
    holdProcess(this.#connectTimer, keep)
    const worker = this.#worker
    if (worker === undefined) return
    try {
      if (keep) worker.ref?.()
      else worker.unref?.()
    } catch {
      // A stand-in worker whose ref throws: liveness is a convenience, never a failure.
    }
  }

  /** Posts to the worker. Throws what `postMessage` throws (e.g. a `DataCloneError`), having posted nothing. */
  post(message: ExecutorMessage, transfer: Transferable[]): void {
    this.#worker!.postMessage(message, transfer)
  }

  /**
   * Posts a message of the executor's own (a cancel, credit, a question), with no app data and
   * nothing to transfer. Never throws: if the worker is gone, its crash is on its way and settles
   * its calls; the caller of a cancel has heard already, and `cancelGraceMs` still bounds the rest.
   */
  tell(message: ExecutorMessage): void {
    // In order: a cancel must not overtake the call it cancels.
    if (this.outbox.size > 0) this.owner.flush(this)
    try {
      this.#worker?.postMessage(message, NO_TRANSFER)
    } catch {
      // See above: nobody is left to tell.
    }
  }

  /** Terminates the worker (if any) and cancels a pending restart. Returns the calls it was running. */
  terminate(): C[] {
    clearTimeout(this.#restartTimer)
    this.#restartTimer = undefined
    this.state = 'idle'
    return this.#release()
  }

  /** After a crash: stay unavailable for `delayMs`, then become idle and call `onRestart`. */
  backOff(delayMs: number, onRestart: () => void): void {
    this.state = 'backoff'
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined
      this.state = 'idle'
      onRestart()
    }, delayMs)
    holdProcess(this.#restartTimer, this.#keepsAlive)
  }

  #crash(cause: Error): void {
    this.state = 'idle'
    this.owner.onCrash(this, cause, this.#release())
  }

  #release(): C[] {
    clearTimeout(this.#connectTimer)
    // Its calls, posted or not, are returned below and dealt with as the worker's.
    this.outbox.clear()
    const worker = this.#worker
    const made = this.#made
    this.#worker = undefined
    this.#made = undefined
    if (worker !== undefined && made !== undefined) {
      inUse.delete(made)
      retired.add(made)
      try {
        worker.terminate()
      } catch {
        // A stand-in worker whose terminate throws is gone as far as we are concerned.
      }
    }
    if (this.calls.size === 0) return []
    const calls = [...this.calls.values()]
    this.calls.clear()
    return calls
  }
}

/**
 * A worker's `error` event carries a message for an uncaught exception, and nothing at all when
 * the script could not be fetched or parsed.
 */
function describeWorkerError(event: Event): Error {
  const { message, filename, lineno, colno } = event as ErrorEvent
  if (message) {
    const where = filename ? ` (${filename}:${lineno}:${colno})` : ''
    return new Error(`${message}${where}`)
  }
  return new Error(
    'Worker failed to load or crashed without a message (check the worker URL and script)',
  )
}
