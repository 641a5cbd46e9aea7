/**
 * The worker side: `createTaskWorker(handlers)` builds the object an app exposes with comlink.
 * comlink carries exactly one message, the executor's connect call with a dedicated port; calls
 * then travel over that port as the plain messages of `protocol.ts`, so the hot path pays for
 * no proxies and messages the app posts to the worker itself are none of our business.
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
export type TaskWorker = { readonly [K in ConnectMethod]: (port: MessagePort) => void }

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

  function connect(port: MessagePort): void {
    const running = new Map<number, AbortController>()
    port.onmessage = (event: MessageEvent<ExecutorMessage>) => {
      const message = event.data
      if (message?.type === 'call') void run(port, running, message)
      else if (message?.type === 'cancel') {
        running.get(message.id)?.abort(deserializeError(message.reason))
      }
    }
    const ready: ReadyMessage = { type: 'ready', methods }
    port.postMessage(ready)
  }

  async function run(
    port: MessagePort,
    running: Map<number, AbortController>,
    message: CallMessage,
  ): Promise<void> {
    const { id, method, args } = message
    if (!callable.has(method)) {
      reply(port, errorMessage(id, new UnknownMethodError(method, methods)))
      return
    }
    const handler = table[method] as (...args: unknown[]) => unknown
    const controller = new AbortController()
    running.set(id, controller)
    const signal = controller.signal
    const context: TaskContext = {
      signal,
      key: message.key,
      callId: id,
      throwIfAborted: () => signal.throwIfAborted(),
    }
    // The context goes last; pad skipped optional arguments so it lands where the handler
    // declared it (a handler's `length` counts parameters before the first default).
    while (args.length < handler.length - 1) args.push(undefined)
    args.push(context)
    try {
      const value = await handler.apply(handlers, args)
      sendResult(port, id, method, value, message.transferResult)
    } catch (error) {
      reply(port, errorMessage(id, error))
    } finally {
      running.delete(id)
    }
  }

  return { __atelierConnect: connect }
}

function sendResult(
  port: MessagePort,
  id: number,
  method: string,
  value: unknown,
  transferResult: boolean,
): void {
  const message: ResultMessage = { type: 'result', id, value }
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
  return { type: 'error', id, error: serializeError(error) }
}

function reply(port: MessagePort, message: ErrorMessage): void {
  port.postMessage(message)
}
