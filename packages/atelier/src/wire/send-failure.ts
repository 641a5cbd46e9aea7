/**
 * Why a call could not be posted, in words that name the culprit. `postMessage` names none (a
 * `DataCloneError` says "could not be cloned", a throwing getter says only its own message), so
 * on failure, and only then, the arguments are probed one by one to find which.
 */

import { textOf } from '../describe.js'
import { DetachedBufferError, findTransferables, formatPath } from './transfer.js'

export function describeSendFailure(error: unknown, method: string, args: unknown[]): Error {
  if (error instanceof DetachedBufferError) {
    const [index, ...rest] = error.path
    const where = rest.length > 0 ? ` at ${formatPath(rest)}` : ''
    return new TypeError(
      `Argument ${String(index)} of "${method}" holds a detached ArrayBuffer${where}: an earlier call transferred it to a worker, which leaves it empty here. Pass a copy (buffer.slice(), structuredClone(value)), or transfer nothing on the earlier call with task.with({ transfer: [] })`,
      { cause: error },
    )
  }
  const index = culprit(args)
  const which = index === undefined ? 'The arguments' : `Argument ${index}`
  const detail = messageOf(error)
  const what = isCloneError(error)
    ? 'could not be sent to the worker'
    : 'could not be read to send it to the worker'
  return new TypeError(`${which} of "${method}" ${what}: ${detail}`, { cause: error })
}

/** The first argument that cannot be walked or cloned on its own. */
function culprit(args: unknown[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    try {
      findTransferables(args[i])
      structuredClone(args[i])
    } catch {
      return i
    }
  }
  return undefined
}

export function isCloneError(error: unknown): boolean {
  try {
    return (error as Error | null)?.name === 'DataCloneError'
  } catch {
    return false
  }
}

/** An error's message without trusting it: a thrown value may be anything, even a revoked Proxy. */
export function messageOf(error: unknown): string {
  try {
    if (error instanceof Error) return textOf(error.message)
  } catch {
    // A revoked Proxy throws from instanceof; describe it below.
  }
  return typeof error === 'string' ? error : `${textOf(error)} was thrown`
}
