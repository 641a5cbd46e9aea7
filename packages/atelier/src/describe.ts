/**
 * How Atelier puts an app's values into its own messages. Every function here is total: a value
 * can be anything (a revoked Proxy, a null-prototype object, a getter that throws, an array of
 * length 2^32-1), and describing it must neither throw nor walk it, since it runs on paths that
 * are already reporting a failure.
 */

const objectToString = Object.prototype.toString

/**
 * A received value, for "…, received X" in validation errors: strings quoted, functions by name,
 * objects by kind. Short by design: it names what was given, it does not print it.
 */
export function describe(value: unknown): string {
  try {
    if (typeof value === 'string') return JSON.stringify(value)
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
    if (typeof value === 'bigint') return `${value}n`
    if (typeof value === 'symbol') return value.toString()
    if (value === null || typeof value !== 'object') return String(value)
    return Array.isArray(value) ? 'an array' : 'an object'
  } catch {
    // A revoked Proxy throws from Array.isArray.
    return 'an unreadable object'
  }
}

/**
 * A thrown value or an abort reason as text: a string as it is, an error's message, an array by
 * its length (its own `toString` would join every element, holes included), anything else by
 * its `toString`, and by its tag when that fails.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    if (typeof value === 'symbol') return value.toString()
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
    if (Array.isArray(value)) return `an array of length ${value.length}`
    // A typed array's toString joins its elements too: 64 MB of them takes half a second.
    if (ArrayBuffer.isView(value)) return tagOf(value)
    return String(value)
  } catch {
    // No usable `toString` (a null-prototype object), or a revoked Proxy.
  }
  return tagOf(value)
}

/** `[object Map]`, or the class name for class instances (which all read `[object Object]`). */
export function tagOf(value: unknown): string {
  try {
    if (typeof value !== 'object' || value === null) return String(value)
    const tag = objectToString.call(value)
    if (tag !== '[object Object]') return tag
    const ctor: unknown = Object.getPrototypeOf(value)?.constructor
    if (typeof ctor === 'function' && ctor.name && ctor !== Object) return `[object ${ctor.name}]`
    return tag
  } catch {
    return '[unreadable value]'
  }
}

/**
 * Whether `value` has a method `key`: for checking an argument's shape. Total, as the rest of this
 * file is: a revoked Proxy or a getter that throws has no method, and its check then fails with a
 * message of ours rather than the engine's.
 */
export function hasMethod(value: unknown, key: PropertyKey): boolean {
  try {
    return typeof (value as Record<PropertyKey, unknown> | null | undefined)?.[key] === 'function'
  } catch {
    return false
  }
}
