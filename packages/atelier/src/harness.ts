/**
 * The worker side: `createTaskWorker(handlers)` builds the object an app exposes with comlink.
 * comlink carries exactly one message, the executor's connect call; calls then travel as the
 * plain branded messages of `protocol.ts` on the worker's own channel, so the hot path pays for
 * no proxies, and messages that are not ours (comlink's, the app's) are left alone.
 */

import { UnknownMethodError } from './errors.js'
import type {
  CallMessage,
  ConnectMethod,
  ErrorMessage,
  ExecutorMessage,
  ReadyMessage,
  ResultMessage,
} from './protocol.js'
import { deserializeError, serializeError } from './serialize-error.js'
import type { TaskContext } from './task-context.js'
import { findTransferables } from './transfer.js'

/** Handlers: each takes its arguments, then a {@link TaskContext}. */
export type TaskHandlers = Record<string, (...args: any[]) => unknown>

/** What `createTaskWorker` returns: pass it to comlink's `expose`. */
export type TaskWorker = { readonly [K in ConnectMethod]: () => void }

const NO_TRANSFER: Transferable[] = []

export function createTaskWorker<H extends object>(handlers: H): TaskWorker {
  if (handlers === null || typeof handlers !== 'object') {
    throw new TypeError(
      `createTaskWorker needs an object of handler functions, received ${handlers === null ? 'null' : typeof handlers}`,
    )
  }
  // Own functions only: an inherited name (toString, constructor, __proto__) is never a handler.
  const table = handlers as Record<string, unknown>
  const methods = Object.keys(table).filter((name) => typeof table[name] === 'function')
  const callable = new Set(methods)

  /** The channel to the executor: the worker's global scope (dedicated workers only). */
  const port = globalThis as unknown as MessagePort
  // Contexts of the calls still running asynchronously, for cancel messages to find.
  const running = new Map<number, CallContext>()

  // Listening from here, before `expose` adds comlink's listener, lets our messages stop at us:
  // comlink would otherwise inspect every call message only to find it is not its own.
  port.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as ExecutorMessage | undefined
    if (!Array.isArray(message)) return
    if (message[0] === 'atelier:call') {
      event.stopImmediatePropagation()
      run(message)
    } else if (message[0] === 'atelier:cancel') {
      event.stopImmediatePropagation()
      running.get(message[1])?.abort(deserializeError(message[2]))
    }
  })

  function connect(): void {
    const ready: ReadyMessage = ['atelier:ready', methods]
    port.postMessage(ready)
  }

  function run(message: CallMessage): void {
    const [, id, method, args, key, keepResult] = message
    const transferResult = keepResult !== true
    if (!callable.has(method)) {
      reply(port, errorMessage(id, new UnknownMethodError(method, methods)))
      return
    }
    const handler = table[method] as (...args: unknown[]) => unknown
    const context = new CallContext(key, id)
    // The context goes last; pad skipped optional arguments so it lands where the handler
    // declared it (a handler's `length` counts parameters before the first default).
    while (args.length < handler.length - 1) args.push(undefined)
    args.push(context)
    let result: unknown
    try {
      result = handler.apply(handlers, args)
    } catch (error) {
      reply(port, errorMessage(id, error))
      return
    }
    // A synchronous handler answers in this same task: no cancel can arrive meanwhile, so it
    // needs no registration and no trip through the microtask queue.
    if (!isThenable(result)) {
      sendResult(port, id, method, result, transferResult)
      return
    }
    running.set(id, context)
    result.then(
      (value) => {
        running.delete(id)
        sendResult(port, id, method, value, transferResult)
      },
      (error: unknown) => {
        running.delete(id)
        reply(port, errorMessage(id, error))
      },
    )
  }

  return { __atelierConnect: connect }
}

const NOT_ABORTED: unique symbol = Symbol('not aborted')

/**
 * A handler's `TaskContext`. The `AbortController` behind `signal` is made only if the handler
 * asks for the signal: most calls finish without looking, and a controller per call is the
 * costliest thing a tiny call would otherwise allocate.
 */
class CallContext implements TaskContext {
  #controller: AbortController | undefined
  #reason: unknown = NOT_ABORTED

  constructor(
    readonly key: string | undefined,
    readonly callId: number,
  ) {}

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#reason !== NOT_ABORTED) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  throwIfAborted(): void {
    if (this.#reason !== NOT_ABORTED) throw this.#reason
  }

  abort(reason: unknown): void {
    if (this.#reason !== NOT_ABORTED) return
    this.#reason = reason
    this.#controller?.abort(reason)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

function sendResult(
  port: MessagePort,
  id: number,
  method: string,
  value: unknown,
  transferResult: boolean,
): void {
  const message: ResultMessage = ['atelier:result', id, value]
  const transfer = transferResult ? findTransferables(value) : NO_TRANSFER
  try {
    port.postMessage(message, transfer)
    return
  } catch (error) {
    if (transfer.length === 0) {
      reply(port, errorMessage(id, uncloneableResult(method, error)))
      return
    }
  }
  // Some buffer could not be transferred (e.g. a WebAssembly memory): copying may still work.
  try {
    port.postMessage(message)
  } catch (error) {
    reply(port, errorMessage(id, uncloneableResult(method, error)))
  }
}

function uncloneableResult(method: string, error: unknown): TypeError {
  const detail = error instanceof Error ? error.message : String(error)
  return new TypeError(`The result of "${method}" could not be sent back: ${detail}`, {
    cause: error,
  })
}

function errorMessage(id: number, error: unknown): ErrorMessage {
  return ['atelier:error', id, serializeError(error)]
}

function reply(port: MessagePort, message: ErrorMessage): void {
  port.postMessage(message)
}
