/** Calling a handler: the table of handlers, and the call with its context in its place. */

import type { CallContext } from './call-context.js'

export type Handler = (...args: unknown[]) => unknown

export interface HandlerEntry {
  fn: Handler
  /** Where the context goes: after the arguments sent, and no earlier than this index. */
  contextAt: number
  /** A generator function (`async function*`, `function*`): its calls answer with chunks. */
  streams: boolean
}

/**
 * Calls the handler with its arguments and the context last. The usual arities are spelled out:
 * a direct call allocates nothing, where appending the context to `args` would grow the array.
 * Indexing past the end of `args` pads skipped optional arguments with `undefined`.
 */
export function invoke(
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
 * The handlers that can be called, by name: own functions only, so an inherited name (toString,
 * constructor, __proto__) is never a handler. Built once; each call looks its handler up here.
 */
export function handlerTable(caller: string, handlers: object): Map<string, HandlerEntry> {
  const table = handlers as Record<string, unknown>
  const entries = new Map<string, HandlerEntry>()
  // Read once, here, each failure named: the worker then fails to start with a message that
  // says which of its handlers could not be read, rather than the engine's words.
  let names: string[]
  try {
    names = Object.keys(table)
  } catch (cause) {
    throw new TypeError(`${caller}: its handlers could not be read`, { cause })
  }
  for (const name of names) {
    let fn: unknown
    try {
      fn = table[name]
    } catch (cause) {
      throw new TypeError(`${caller}: reading handler "${name}" threw`, { cause })
    }
    if (typeof fn !== 'function') continue
    // The context goes after the declared parameters (a function's `length` counts those
    // before the first default), so skipped optional arguments leave room for it.
    entries.set(name, {
      fn: fn as Handler,
      contextAt: Math.max(0, fn.length - 1),
      streams: isGeneratorFunction(fn),
    })
  }
  return entries
}

const tagOf = Object.prototype.toString

/** Told by the function's kind, as the main thread's types are: before it is ever called. */
function isGeneratorFunction(fn: object): boolean {
  const tag = tagOf.call(fn)
  return tag === '[object AsyncGeneratorFunction]' || tag === '[object GeneratorFunction]'
}

/** A generator object, which a plain handler returned: it cannot be cloned, only streamed. */
export function isGenerator(value: unknown): boolean {
  const tag = tagOf.call(value)
  return tag === '[object AsyncGenerator]' || tag === '[object Generator]'
}
