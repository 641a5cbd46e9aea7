/**
 * The worker side. `serve(handlers)` answers the executor on the worker's own channel;
 * `createTaskWorker(handlers)` does the same and also returns the object older apps pass to
 * comlink's `expose` (comlink then carries exactly one message, the executor's connect call).
 * Calls travel as the plain branded messages of `protocol.ts`, so the hot path pays for no
 * proxies, and messages that are not ours (comlink's, the app's) are left alone.
 *
 * The harness announces itself (`atelier:ready`) as soon as it exists, and again when asked. A
 * worker that awaits its set-up (a WASM module, a model) before serving is therefore found ready
 * whenever it gets there: the executor posts no call before it hears that.
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

type Handler = (...args: unknown[]) => unknown

interface HandlerEntry {
  fn: Handler
  /** Where the context goes: after the arguments sent, and no earlier than this index. */
  contextAt: number
}

/**
 * Calls the handler with its arguments and the context last. The usual arities are spelled out:
 * a direct call allocates nothing, where appending the context to `args` would grow the array.
 * Indexing past the end of `args` pads skipped optional arguments with `undefined`.
 */
function invoke(
  self: object,
  { fn, contextAt }: HandlerEntry,
  args: unknown[],
  context: CallContext,
): unknown {
  switch (Math.max(args.length, contextAt)) {
    case 0:
      return fn.call(self, context)
    case 1:
      return fn.call(self, args[0], context)
    case 2:
      return fn.call(self, args[0], args[1], context)
    case 3:
      return fn.call(self, args[0], args[1], args[2], context)
    default:
      while (args.length < contextAt) args.push(undefined)
      args.push(context)
      return fn.apply(self, args)
  }
}

/**
 * What the harness talks through: a dedicated worker's global scope (the default), a
 * `MessagePort`, or an adapter over another runtime's channel.
 */
export interface HarnessEndpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  /** A `MessagePort` delivers nothing until started; a worker's global scope has no `start`. */
  start?(): void
}

/**
 * Serves `handlers` to the task executor on the other side of `endpoint`: the worker side of a
 * task, with no comlink needed.
 * @example serve({ resize(image: ImageData, width: number, ctx: TaskContext) { … } })
 */
export function serve<H extends object>(
  handlers: H,
  endpoint: HarnessEndpoint = globalThis as unknown as HarnessEndpoint,
): void {
  createHarness('serve', handlers, endpoint)
}

/**
 * The same harness as {@link serve}, returned as the object to pass to comlink's `expose`, for
 * workers written as `expose(createTaskWorker(handlers))`.
 */
export function createTaskWorker<H extends object>(handlers: H): TaskWorker {
  const connect = createHarness(
    'createTaskWorker',
    handlers,
    globalThis as unknown as HarnessEndpoint,
  )
  return { __atelierConnect: connect }
}

function createHarness(caller: string, handlers: object, port: HarnessEndpoint): () => void {
  if (handlers === null || typeof handlers !== 'object') {
    throw new TypeError(
      `${caller} needs an object of handler functions, received ${handlers === null ? 'null' : typeof handlers}`,
    )
  }
  // Own functions only: an inherited name (toString, constructor, __proto__) is never a handler.
  // Each is looked up once per call, by name, in this table built up front.
  const table = handlers as Record<string, unknown>
  const methods = Object.keys(table).filter((name) => typeof table[name] === 'function')
  const entries = new Map<string, HandlerEntry>()
  for (const name of methods) {
    const fn = table[name] as Handler
    // The context goes after the declared parameters (a function's `length` counts those
    // before the first default), so skipped optional arguments leave room for it.
    entries.set(name, { fn, contextAt: Math.max(0, fn.length - 1) })
  }

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

  const ready: ReadyMessage = ['atelier:ready', methods]
  function connect(): void {
    port.postMessage(ready)
  }

  // Indexing rather than destructuring: this runs once per call, and array destructuring goes
  // through the iterator protocol until the optimizing compiler gets to it.
  function run(message: CallMessage): void {
    const id = message[1]
    const method = message[2]
    const entry = entries.get(method)
    if (entry === undefined) {
      reply(port, errorMessage(id, new UnknownMethodError(method, methods)))
      return
    }
    const context = new CallContext(message[4], id)
    let result: unknown
    try {
      result = invoke(handlers, entry, message[3], context)
    } catch (error) {
      reply(port, errorMessage(id, error))
      return
    }
    const transferResult = message[5] !== true
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

  port.start?.()
  connect()
  return connect
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
  port: HarnessEndpoint,
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

function reply(port: HarnessEndpoint, message: ErrorMessage): void {
  port.postMessage(message)
}
