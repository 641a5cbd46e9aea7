/** A call's cancellation key, from `keyOf`. */

import { describe } from '../describe.js'
import type { KeyFunction } from '../options.js'

/**
 * What `keyOf` says of a call: a key, or `undefined` for none (it returned `undefined`, `null`
 * or `''`). Throws what `keyOf` threw, or a `TypeError` when it returned anything else.
 */
export function keyFromKeyOf(
  keyOf: KeyFunction,
  method: string,
  args: unknown[],
): string | undefined {
  const key: unknown = keyOf(...args)
  if (typeof key === 'string') return key === '' ? undefined : key
  if (key === undefined || key === null) return undefined
  throw new TypeError(
    `keyOf must return a string, or undefined for no key; for "${method}" it returned ${describe(key)}`,
  )
}
