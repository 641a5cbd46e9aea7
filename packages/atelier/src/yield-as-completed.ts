/**
 * `yieldAsCompleted`: promises already started, read back in the order they settle. Unlike
 * `parallelLimit` it limits nothing; the work is running before it is called.
 */

import { describe, hasMethod } from './describe.js'

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

/**
 * Yields the value of each promise as it settles, first settled first. A rejection is thrown
 * where it falls in that order (values settled before it are yielded first) and ends the
 * iteration. Every promise is observed from this call on, so the order is the real completion
 * order even when iteration starts late, and no rejection goes unhandled: neither one that comes
 * before the iteration starts nor one that comes after it ended (`break`, or an earlier
 * rejection thrown), which is ignored.
 * @example
 * for await (const thumb of yieldAsCompleted(files.map((f) => resize.resize(f, 256)))) show(thumb)
 */
export function yieldAsCompleted<T>(
  promises: Iterable<T | PromiseLike<T>>,
): AsyncGenerator<T, void, unknown> {
  if (!hasMethod(promises, Symbol.iterator)) {
    throw new TypeError(
      `yieldAsCompleted: promises must be an Iterable, received ${describe(promises)}`,
    )
  }
  const settled: Settled<T>[] = [] // in settlement order, not yet yielded
  let remaining = 0
  let closed = false
  let wake: (() => void) | undefined
  const arrive = (outcome: Settled<T>) => {
    if (closed) return // nobody will read it: keep nothing
    settled.push(outcome)
    wake?.()
    wake = undefined
  }
  for (const promise of promises) {
    remaining++
    Promise.resolve(promise).then(
      (value) => arrive({ ok: true, value }),
      (error: unknown) => arrive({ ok: false, error }),
    )
  }

  return (async function* drain(): AsyncGenerator<T, void, unknown> {
    try {
      for (; remaining > 0; remaining--) {
        while (settled.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve
          })
        }
        const next = settled.shift()!
        if (!next.ok) throw next.error
        yield next.value
      }
    } finally {
      closed = true
      settled.length = 0
    }
  })()
}
