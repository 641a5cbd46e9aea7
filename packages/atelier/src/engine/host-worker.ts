/**
 * Each runtime's worker, as a slot speaks to it (`WorkerLike`). A web `Worker` (browsers, Deno,
 * Bun) is one already. Node's `worker_threads` Worker is an EventEmitter instead: its messages
 * come bare rather than in a `MessageEvent`, and a worker that ends itself (`process.exit()`)
 * raises no error, only `exit`. Both differences are made up for here, so the slot never learns
 * which runtime it runs on.
 */

import type { WorkerLike } from '../options.js'

/** What a slot holds: a `WorkerLike`, and whether it may keep the process alive (Node, Bun). */
export interface HostWorker extends WorkerLike {
  ref?(): void
  unref?(): void
  /**
   * The runtime reports every end of the worker itself (an `error` for an uncaught one, then
   * `exit`), so the harness's `closing` notice adds nothing and must be ignored: Node ends a
   * worker after an uncaught error with `process.exit()`, whose notice travels on another port
   * than the error and, arriving first one time in forty, would hide the error behind it.
   */
  readonly reportsEnd?: boolean
}

/** Node's `worker_threads.Worker`, as far as it is used here. */
interface NodeWorker {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void
  on(event: string, listener: (value: unknown) => void): unknown
  terminate(): unknown
  ref?(): void
  unref?(): void
}

/** Node's kind of worker: an emitter (`on`), with no `addEventListener`. */
export function isNodeWorker(value: object): value is NodeWorker {
  const candidate = value as Partial<NodeWorker> & { addEventListener?: unknown }
  return (
    typeof candidate.on === 'function' &&
    typeof candidate.addEventListener !== 'function' &&
    typeof candidate.postMessage === 'function' &&
    typeof candidate.terminate === 'function'
  )
}

/** The worker a factory returned, as a slot speaks to it. */
export function hostWorker(worker: object): HostWorker {
  if (isNodeWorker(worker)) return new NodeWorkerAdapter(worker)
  if (isBun()) return new BunWorkerAdapter(worker as HostWorker)
  return worker as HostWorker
}

function isBun(): boolean {
  return typeof (globalThis as { Bun?: unknown }).Bun === 'object'
}

/** The shape of an `error` event that `describeWorkerError` reads. */
function errorEvent(message: string, error?: unknown): Event {
  return { message, error, preventDefault() {} } as unknown as Event
}

class NodeWorkerAdapter implements HostWorker {
  readonly reportsEnd = true
  /** Set once we terminate it: its `exit` is then expected, not a crash. */
  #terminated = false

  constructor(readonly worker: NodeWorker) {}

  postMessage(message: unknown, transfer: Transferable[]): void {
    this.worker.postMessage(message, transfer)
  }

  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void
  addEventListener(type: string, listener: (event: never) => void): void {
    const deliver = listener as (event: unknown) => void
    if (type === 'message') {
      this.worker.on('message', (data) => deliver({ data }))
    } else if (type === 'messageerror') {
      this.worker.on('messageerror', (error) => deliver({ data: null, error }))
    } else if (type === 'error') {
      this.worker.on('error', (error) => {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
        deliver(errorEvent(message, error))
      })
      // A worker that exits on its own (process.exit(), or its event loop ran dry) answers no
      // more calls: that is a crash, though Node raises no error for it.
      this.worker.on('exit', (code) => {
        if (!this.#terminated) {
          deliver(errorEvent(`The worker exited with code ${String(code)} (process.exit()?)`))
        }
      })
    }
  }

  terminate(): void {
    this.#terminated = true
    // A promise in Node; rejected only if the worker is already gone, which is what we want.
    Promise.resolve(this.worker.terminate()).catch(() => {})
  }

  ref(): void {
    this.worker.ref?.()
  }

  unref(): void {
    this.worker.unref?.()
  }
}

/**
 * Bun's web Worker: a worker that ends itself (process.exit()) raises no `error`, only `close`
 * (a Bun event, with the exit code), so `close` is a crash unless we terminated it.
 */
class BunWorkerAdapter implements HostWorker {
  #terminated = false

  constructor(readonly worker: HostWorker) {}

  postMessage(message: unknown, transfer: Transferable[]): void {
    this.worker.postMessage(message, transfer)
  }

  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void
  addEventListener(
    type: 'message' | 'error' | 'messageerror',
    listener: (event: never) => void,
  ): void {
    this.worker.addEventListener(type as 'error', listener as (event: Event) => void)
    if (type !== 'error') return
    this.worker.addEventListener('close' as 'error', (event) => {
      if (this.#terminated) return
      const code = (event as Event & { code?: unknown }).code
      const exit = code === undefined ? '' : ` with code ${String(code)}`
      ;(listener as (event: Event) => void)(
        errorEvent(`The worker exited${exit} (process.exit()?)`),
      )
    })
  }

  terminate(): void {
    this.#terminated = true
    this.worker.terminate()
  }

  ref(): void {
    this.worker.ref?.()
  }

  unref(): void {
    this.worker.unref?.()
  }
}
