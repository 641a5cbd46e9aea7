/**
 * The assertions of the runtime matrix: small enough to run anywhere (Chromium, Node, Deno, Bun)
 * without a test framework, so the one suite runs unchanged under vitest and under a bare runner.
 */

export class AssertionError extends Error {
  override name = 'AssertionError'
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}

/** `actual` is `expected` (`Object.is`). */
export function equal<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${what}: expected ${show(expected)}, received ${show(actual)}`)
  }
}

/** Same structure and values: plain objects, arrays and primitives, as JSON shows them. */
export function deepEqual(actual: unknown, expected: unknown, what: string): void {
  if (show(actual) !== show(expected)) {
    throw new AssertionError(`${what}: expected ${show(expected)}, received ${show(actual)}`)
  }
}

/** Every property of `expected` has that value in `actual` (a partial match, one level deep). */
export function matches(actual: object, expected: Record<string, unknown>, what: string): void {
  const picked: Record<string, unknown> = {}
  for (const key of Object.keys(expected)) picked[key] = (actual as Record<string, unknown>)[key]
  deepEqual(picked, expected, what)
}

export function instanceOf<C extends abstract new (...args: any[]) => unknown>(
  value: unknown,
  ctor: C,
  what: string,
): asserts value is InstanceType<C> {
  if (!(value instanceof ctor)) {
    throw new AssertionError(`${what}: expected a ${ctor.name}, received ${describe(value)}`)
  }
}

/** Resolves with what `promise` rejected with; fails if it resolved. */
export async function rejects(promise: Promise<unknown>, what: string): Promise<any> {
  try {
    const value = await promise
    throw new AssertionError(`${what}: expected a rejection, resolved with ${show(value)}`)
  } catch (error) {
    if (error instanceof AssertionError) throw error
    return error
  }
}

/** Resolves with what `promise` rejected with, after checking its class. */
export async function rejectsWith<C extends abstract new (...args: any[]) => unknown>(
  promise: Promise<unknown>,
  ctor: C,
  what: string,
): Promise<InstanceType<C>> {
  const error: unknown = await rejects(promise, what)
  instanceOf(error, ctor, what)
  return error
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  return show(value)
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value === 'bigint') return `${value}n`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
