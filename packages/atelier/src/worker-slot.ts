/**
 * One place in a task's pool: the life of the worker that fills it (spawn, ready, crash,
 * backoff, terminate) and the calls running on it. The slot knows nothing of queues or
 * policies; it reports what its worker says and does through {@link SlotOwner}.
 */

import type { BalancerSlot } from './balancer.js'
import type { ComlinkApplyMessage, ExecutorMessage, HarnessMessage } from './protocol.js'

/**
 * What the slot needs from a worker: post, listen, terminate. A browser `Worker` is one; a test
 * double or another runtime's worker can stand in without touching the executor.
 */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void
  terminate(): void
}

export interface SlotOwner<C> {
  onReady(slot: WorkerSlot<C>): void
  onMessage(slot: WorkerSlot<C>, message: HarnessMessage): void
  /** The worker died. `calls` were running on it; the slot has already forgotten them. */
  onCrash(slot: WorkerSlot<C>, cause: Error, calls: C[]): void
}

export type SlotState =
  /** No worker; a call would spawn one. */
  | 'idle'
  /** Worker spawned, handshake not answered yet. Calls may already be posted: the worker queues them. */
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

/** Ours, as opposed to comlink's reply to the connect call or the app's own messages. */
function isHarnessMessage(data: unknown): data is HarnessMessage {
  if (!Array.isArray(data)) return false
  const type = data[0]
  return type === 'atelier:result' || type === 'atelier:error' || type === 'atelier:ready'
}

export class WorkerSlot<C> implements BalancerSlot {
  state: SlotState = 'idle'
  /** Calls posted to this worker and not yet answered, by call id. */
  readonly calls = new Map<number, C>()
  /** Crashes since this slot last completed a call: drives the restart delay. */
  crashStreak = 0
  #worker: WorkerLike | undefined
  #connectTimer: ReturnType<typeof setTimeout> | undefined
  #restartTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly index: number,
    readonly owner: SlotOwner<C>,
    readonly createWorker: () => WorkerLike,
    /** How long the worker may take to answer the connect call before it counts as crashed. */
    readonly connectTimeoutMs: number,
  ) {}

  get isAvailable(): boolean {
    return this.state !== 'backoff'
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
    let worker: WorkerLike
    try {
      worker = this.createWorker()
    } catch (error) {
      this.#crash(error instanceof Error ? error : new Error(String(error)))
      return
    }
    this.#worker = worker
    // Listeners check that the worker is still ours: events already queued for a worker we
    // terminated (a late crash, a late answer) must not touch its successor.
    worker.addEventListener('error', (event) => {
      // Handled here: left uncancelled, the browser would re-raise it in the page's global scope.
      event.preventDefault()
      if (this.#worker === worker) this.#crash(describeWorkerError(event))
    })
    worker.addEventListener('messageerror', () => {
      if (this.#worker === worker) {
        this.#crash(new Error('Worker sent a message that could not be deserialized'))
      }
    })
    worker.addEventListener('message', (event: MessageEvent) => {
      if (this.#worker !== worker) return
      const message = event.data as HarnessMessage | undefined
      if (isHarnessMessage(message)) {
        if (message[0] !== 'atelier:ready') this.owner.onMessage(this, message)
        else if (this.state === 'starting') {
          clearTimeout(this.#connectTimer)
          this.state = 'ready'
          this.owner.onReady(this)
        }
      } else if (isFailedConnect(message)) {
        // comlink answered our connect call with an error: whatever is exposed, it is not ours.
        this.#crash(
          new Error(
            'The worker does not expose a task harness: expected expose(createTaskWorker(handlers))',
          ),
        )
      }
    })
    // A worker that never calls expose() raises no error either; without this it would hang.
    this.#connectTimer = setTimeout(() => {
      if (this.#worker === worker && this.state === 'starting') {
        this.#crash(
          new Error(
            `The worker did not connect within ${this.connectTimeoutMs} ms: does it call expose(createTaskWorker(handlers))?`,
          ),
        )
      }
    }, this.connectTimeoutMs)
    const connect: ComlinkApplyMessage = {
      id: CONNECT_ID,
      type: 'APPLY',
      path: ['__atelierConnect'],
      argumentList: [],
    }
    worker.postMessage(connect, NO_TRANSFER)
  }

  /** Posts to the worker. Throws what `postMessage` throws (e.g. a `DataCloneError`). */
  post(message: ExecutorMessage, transfer: Transferable[]): void {
    this.#worker!.postMessage(message, transfer)
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
  }

  #crash(cause: Error): void {
    this.state = 'idle'
    this.owner.onCrash(this, cause, this.#release())
  }

  #release(): C[] {
    clearTimeout(this.#connectTimer)
    this.#worker?.terminate()
    this.#worker = undefined
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
