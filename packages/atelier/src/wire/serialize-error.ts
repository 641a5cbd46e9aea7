/**
 * Errors across the thread boundary. The worker flattens whatever a handler threw into a
 * {@link SerializedError}; the main thread rebuilds an `Error` from it.
 *
 * Structured cloning alone is not enough: engines clone `Error` objects but drop custom fields
 * (`code`), `cause` chains and `AggregateError.errors` unevenly, and a thrown value that is not
 * cloneable (a function, a DOM node, an object holding either) would make the whole reply fail.
 * So everything is carried explicitly, and what cannot be cloned is described rather than lost.
 */

import { tagOf, textOf } from '../describe.js'
import {
  AbortError,
  QueueDropError,
  TaskDisposedError,
  TimeoutError,
  UnknownMethodError,
  WorkerCrashedError,
} from '../errors.js'
import type { SerializedError, SerializedValue } from './protocol.js'
import { findTransferables } from './transfer.js'

/**
 * How many errors deep a `cause` / `errors` / error-valued-field chain is carried below the
 * top-level error. Real chains are a handful long; the cap keeps a pathological or
 * self-building chain from producing an unbounded message. Deeper errors become descriptions.
 */
export const MAX_ERROR_DEPTH = 16

/** Carried in their own `SerializedError` fields, so never duplicated into `props`. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['name', 'message', 'stack', 'cause', 'errors'])

const BUILTIN_ERRORS: ReadonlyMap<string, ErrorConstructor> = new Map([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
])

/**
 * Atelier's own errors, rebuilt as their classes so `instanceof` holds across the thread: an
 * `UnknownMethodError` raised in the worker, the `AbortError` or `TimeoutError` a handler rethrows
 * from `ctx.throwIfAborted()`. Their fields (`timeoutMs`, `taskId`, …) travel as own fields.
 * A `DOMException` named `AbortError` or `TimeoutError` (what `AbortSignal.abort()` and
 * `AbortSignal.timeout()` raise) arrives as ours of that name: the same meaning, one class to test.
 */
const ATELIER_ERRORS: ReadonlyMap<string, abstract new (...args: any[]) => Error> = new Map<
  string,
  abstract new (
    ...args: any[]
  ) => Error
>([
  ['AbortError', AbortError],
  ['TimeoutError', TimeoutError],
  ['QueueDropError', QueueDropError],
  ['WorkerCrashedError', WorkerCrashedError],
  ['TaskDisposedError', TaskDisposedError],
  ['UnknownMethodError', UnknownMethodError],
])

const AggregateErrorCtor: AggregateErrorConstructor | undefined =
  typeof AggregateError !== 'undefined' ? AggregateError : undefined
const cloneCheck: ((value: unknown) => unknown) | undefined =
  typeof structuredClone === 'function' ? structuredClone : undefined

const objectToString = Object.prototype.toString
const hasOwn = Object.prototype.hasOwnProperty

/** Returned by {@link read} when a getter throws, so the field is described instead of lost. */
const THREW: unique symbol = Symbol('threw')

// ---- worker side --------------------------------------------------------------------------

/**
 * Flattens a handler's thrown value. An `Error` (or `DOMException`) keeps its name, message,
 * stack, cause chain, `AggregateError.errors` and own enumerable fields. Any other thrown value
 * becomes an `Error` named 'Error' whose message is the value as text and whose cause is the
 * value itself (or its description, if it cannot be cloned).
 *
 * Never throws: it runs on the error path, where a second failure would lose the first.
 */
export function serializeError(error: unknown): SerializedError {
  try {
    return isErrorLike(error) ? flattenError(error, 0, []) : fromThrownValue(error)
  } catch {
    return { name: 'Error', message: 'The thrown value could not be serialized', stack: undefined }
  }
}

/**
 * Makes any value safe to post: errors are flattened, cloneable values pass through unchanged,
 * and the rest are replaced with a short description such as `function foo` or
 * `[object HTMLDivElement]`.
 */
export function serializeValue(value: unknown): SerializedValue {
  try {
    return encode(value, 0, [])
  } catch {
    return { kind: 'uncloneable', description: 'unserializable value' }
  }
}

function fromThrownValue(value: unknown): SerializedError {
  return {
    name: 'Error',
    message: messageFor(value),
    // A stack captured here would point at the harness, not at whatever threw.
    stack: undefined,
    cause: encode(value, 1, []),
  }
}

/** `ancestors` holds the errors above this one, so a cause cycle is cut where it closes. */
function flattenError(error: object, depth: number, ancestors: object[]): SerializedError {
  const name = read(error, 'name')
  const message = read(error, 'message')
  const stack = read(error, 'stack')
  const serialized: SerializedError = {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : messageFromField(message),
    stack: typeof stack === 'string' ? stack : undefined,
  }

  ancestors.push(error)
  try {
    if (hasOwn.call(error, 'cause')) {
      serialized.cause = encode(read(error, 'cause'), depth + 1, ancestors)
    }

    const errors = read(error, 'errors')
    const isAggregate =
      Array.isArray(errors) &&
      ((AggregateErrorCtor !== undefined && error instanceof AggregateErrorCtor) ||
        serialized.name === 'AggregateError')
    if (isAggregate) {
      serialized.errors = errors.map((item: unknown) => encode(item, depth + 1, ancestors))
    }

    let props: Record<string, SerializedValue> | undefined
    for (const key of Object.keys(error)) {
      if (RESERVED_KEYS.has(key)) continue
      // Null prototype: an own `__proto__` field must stay a field, not become the prototype.
      props ??= Object.create(null) as Record<string, SerializedValue>
      props[key] = encode(read(error, key), depth + 1, ancestors)
    }
    if (props !== undefined) serialized.props = props
  } finally {
    ancestors.pop()
  }
  return serialized
}

function encode(value: unknown, depth: number, ancestors: object[]): SerializedValue {
  if (value === THREW) return { kind: 'uncloneable', description: 'property getter threw' }

  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return { kind: 'value', value }
    case 'symbol':
    case 'function':
      return { kind: 'uncloneable', description: textOf(value) }
  }
  if (value === null) return { kind: 'value', value }
  const object = value as object

  if (isErrorLike(object)) {
    if (ancestors.includes(object)) {
      return { kind: 'uncloneable', description: `circular reference to ${label(object)}` }
    }
    if (depth > MAX_ERROR_DEPTH) {
      return {
        kind: 'uncloneable',
        description: `${label(object)} (nested deeper than ${MAX_ERROR_DEPTH} errors)`,
      }
    }
    return { kind: 'error', error: flattenError(object, depth, ancestors) }
  }

  try {
    // A detached buffer does not make cloning throw: inside an ImageData, the whole message
    // arrives as null instead. The transfer walk finds it (and throwing getters).
    findTransferables(object)
  } catch {
    return {
      kind: 'uncloneable',
      description: `${tagOf(object)} holding a detached buffer or an unreadable field`,
    }
  }
  if (cloneCheck !== undefined) {
    try {
      // The clone is thrown away; postMessage will clone the original again. This is the only
      // reliable test (a single function deep inside makes the whole value uncloneable), and
      // this path only runs when something has already gone wrong.
      // A value holding an ImageData over a detached buffer clones to null, whole, silently:
      // sent as it is, the message carrying it would arrive empty.
      if (cloneCheck(object) === null) {
        return { kind: 'uncloneable', description: `${tagOf(object)} that clones to null` }
      }
    } catch {
      return { kind: 'uncloneable', description: tagOf(object) }
    }
  }
  return { kind: 'value', value: object }
}

function isErrorLike(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false
  try {
    return (
      value instanceof Error ||
      // Read here, on the error path, not at load: a browser builds the interface on its first
      // read, a cost every page and worker would pay at start-up.
      (typeof DOMException !== 'undefined' && value instanceof DOMException) ||
      // Errors from another realm fail instanceof but keep their brand.
      objectToString.call(value) === '[object Error]'
    )
  } catch {
    // A revoked Proxy throws from both checks.
    return false
  }
}

/** A non-string `message` field, which some libraries set to a number or an object. */
function messageFromField(message: unknown): string {
  if (message === undefined || message === null || message === THREW) return ''
  return textOf(message)
}

function messageFor(value: unknown): string {
  if (typeof value !== 'object' || value === null) return textOf(value)
  const message = read(value, 'message')
  if (typeof message === 'string') return message
  // A custom toString is the author's own rendering; the default one is just "[object Object]".
  // An array's would join every element, holes and all: textOf gives its length instead.
  if (read(value, 'toString') !== objectToString) return textOf(value)
  return tagOf(value)
}

function label(error: object): string {
  const name = read(error, 'name')
  const message = read(error, 'message')
  const head = typeof name === 'string' ? name : 'Error'
  return typeof message === 'string' && message !== '' ? `${head}: ${message}` : head
}

function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key]
  } catch {
    return THREW
  }
}

// ---- main-thread side ---------------------------------------------------------------------

/**
 * Rebuilds a worker's error. Built-in names (`TypeError`, `AggregateError`, ...) get their own
 * class so `instanceof` works; any other name (including DOMException names such as
 * 'AbortError') gives a plain `Error` with `name` as an own property. `stack` is the worker's,
 * verbatim (undefined when the worker threw a non-Error). `props` become own enumerable fields.
 *
 * Cause and `errors` values are rebuilt recursively: errors as errors, cloned values as
 * themselves, uncloneable ones as a string `[uncloneable: <description>]`. A `props` entry that
 * is not a {@link SerializedValue} is copied as is, so hand-built errors can carry plain fields.
 */
export function deserializeError(serialized: SerializedError): Error {
  // Only a message we did not write can carry something else: say so rather than throw.
  if (typeof serialized !== 'object' || serialized === null) {
    return new Error(`The worker sent an unreadable error (${typeof serialized})`)
  }
  return rebuild(serialized, 0, [])
}

function rebuild(serialized: SerializedError, depth: number, ancestors: object[]): Error {
  const name = typeof serialized.name === 'string' ? serialized.name : 'Error'
  const message =
    typeof serialized.message === 'string' ? serialized.message : String(serialized.message ?? '')

  ancestors.push(serialized)
  try {
    const errors = Array.isArray(serialized.errors)
      ? serialized.errors.map((item) => decode(item, depth + 1, ancestors))
      : undefined

    let error: Error
    const builtin = BUILTIN_ERRORS.get(name)
    const atelier = ATELIER_ERRORS.get(name)
    if (name === 'AggregateError' && AggregateErrorCtor !== undefined) {
      error = new AggregateErrorCtor(errors ?? [], message)
    } else if (builtin !== undefined) {
      error = new builtin(message)
    } else if (atelier !== undefined) {
      // An Error with the class's prototype, made without running its constructor, whose
      // parameters (a policy, a task id) the fields below restore instead.
      error = Reflect.construct(Error, [message], atelier) as Error
      define(error, 'name', name, true)
    } else {
      error = new Error(message)
      define(error, 'name', name, false)
    }

    // Replace the stack captured here, which would point at this function.
    define(
      error,
      'stack',
      typeof serialized.stack === 'string' ? serialized.stack : undefined,
      false,
    )
    if (serialized.cause !== undefined) {
      define(error, 'cause', decode(serialized.cause, depth + 1, ancestors), false)
    }
    if (errors !== undefined && !(AggregateErrorCtor && error instanceof AggregateErrorCtor)) {
      define(error, 'errors', errors, false)
    }

    const props = serialized.props
    if (typeof props === 'object' && props !== null) {
      for (const key of Object.keys(props)) {
        if (RESERVED_KEYS.has(key)) continue
        define(error, key, decode(props[key], depth + 1, ancestors), true)
      }
    }
    return error
  } finally {
    ancestors.pop()
  }
}

function decode(value: unknown, depth: number, ancestors: object[]): unknown {
  if (!isSerializedValue(value)) return value
  switch (value.kind) {
    case 'value':
      return value.value
    case 'uncloneable':
      return `[uncloneable: ${value.description}]`
    case 'error': {
      const inner = value.error
      // Only a hand-built or tampered payload can get here: serializeError already cut both.
      if (ancestors.includes(inner)) return `[uncloneable: circular reference to ${inner.name}]`
      if (depth > MAX_ERROR_DEPTH) {
        return `[uncloneable: ${inner.name} (nested deeper than ${MAX_ERROR_DEPTH} errors)]`
      }
      return rebuild(inner, depth, ancestors)
    }
  }
}

function isSerializedValue(value: unknown): value is SerializedValue {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<Record<'kind' | 'error' | 'description', unknown>>
  switch (candidate.kind) {
    case 'value':
      return 'value' in candidate
    case 'uncloneable':
      return typeof candidate.description === 'string'
    case 'error':
      return typeof candidate.error === 'object' && candidate.error !== null
    default:
      return false
  }
}

/** defineProperty rather than assignment: a `__proto__` key must not reach the setter. */
function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable, configurable: true })
}
