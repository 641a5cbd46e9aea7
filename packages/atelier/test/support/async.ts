/** Promise helpers for tests driven by gates rather than by time. */
import { afterEach, beforeEach } from 'vitest'

export interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

/** A promise the test settles by hand: a gate. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

export async function collect<X>(iterable: AsyncIterable<X>): Promise<X[]> {
  const out: X[] = []
  for await (const x of iterable) out.push(x)
  return out
}

/** Counts how many times `promise` settles (it must be once) and keeps how it settled. */
export function settleCounter<T>(promise: Promise<T>) {
  let settlements = 0
  const result = promise.then(
    (value) => {
      settlements++
      return { ok: true as const, value }
    },
    (error: unknown) => {
      settlements++
      return { ok: false as const, error: error as any }
    },
  )
  return { result, count: () => settlements }
}

// No @types/node here: reach the Node process through a minimal shape.
const nodeProcess = (
  globalThis as unknown as {
    process: {
      on(event: 'unhandledRejection', listener: (reason: unknown) => void): void
      off(event: 'unhandledRejection', listener: (reason: unknown) => void): void
    }
  }
).process

/** Records Node's unhandled rejections during each test of the file (unit tests only). */
export function recordUnhandledRejections(): { readonly reasons: unknown[] } {
  const record = { reasons: [] as unknown[] }
  const onUnhandled = (reason: unknown) => record.reasons.push(reason)
  beforeEach(() => {
    record.reasons = []
    nodeProcess.on('unhandledRejection', onUnhandled)
  })
  afterEach(() => {
    nodeProcess.off('unhandledRejection', onUnhandled)
  })
  return record
}
