/**
 * The pieces of what the harness says back (see `outbox.ts` for the order it says it in): the
 * endpoint it talks through, posting app data (walked for transfer, checked for detached
 * buffers), and the errors that say why something could not be sent.
 */

import type { ErrorMessage, HarnessMessage } from '../wire/protocol.js'
import { isCloneError, messageOf } from '../wire/send-failure.js'
import { serializeError } from '../wire/serialize-error.js'
import { DetachedBufferError, findTransferables, formatPath } from '../wire/transfer.js'

const NO_TRANSFER: Transferable[] = []

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

/** The `then` of a thenable result, or undefined. Reading it runs app code, which may throw. */
export function thenOf(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined
  const then = (value as { then?: unknown }).then
  return typeof then === 'function' ? then : undefined
}

/**
 * Posts `message`, which carries the app's `data`, transferring what the walk finds in it (or
 * copying, when `transfer` is false). Returns why it could not be sent, or undefined once sent.
 */
export function postData(
  port: HarnessEndpoint,
  message: HarnessMessage,
  data: unknown,
  transfer: boolean,
): { error: unknown } | undefined {
  let list = NO_TRANSFER
  try {
    // Walked even when copying: a detached buffer must fail here, not arrive empty.
    const found = findTransferables(data)
    if (transfer) list = found
    port.postMessage(message, list)
    return undefined
  } catch (error) {
    if (list.length === 0) return { error }
  }
  // Some buffer could not be transferred (e.g. a WebAssembly memory): copying may still work.
  try {
    port.postMessage(message)
    return undefined
  } catch (error) {
    return { error }
  }
}

/** Why a result could not be sent back, naming the method. */
export function unsendableResult(method: string, error: unknown): TypeError {
  if (error instanceof DetachedBufferError) {
    return new TypeError(
      `The result of "${method}" holds a detached ArrayBuffer at ${formatPath(error.path)}: the worker already transferred it (an earlier result or message took it). Return a copy (buffer.slice())`,
      { cause: error },
    )
  }
  const cloneFailed = isCloneError(error)
  return new TypeError(
    `The result of "${method}" could not be ${cloneFailed ? 'sent back' : 'read to send it back'}: ${messageOf(error)}`,
    { cause: error },
  )
}

export function errorMessage(id: number, error: unknown): ErrorMessage {
  return ['atelier:error', id, serializeError(error)]
}
