/**
 * Runtime snapshots pushed to subscribers when something changes, coalesced to at most one per
 * `intervalMs`. The executor's lifecycle facts say when; nothing polls while nothing happens.
 */

import { describe } from '../describe.js'
import type { ExecutorEvents, FactSource } from '../facts.js'
import { MAX_TIMER_MS, readOptions } from '../options.js'
import { reportListenerError } from '../report-error.js'
import type {
  RuntimeSnapshot,
  RuntimeTaskSnapshot,
  SnapshotSubscriptionOptions,
} from '../task-state.js'

/**
 * The facts after which a snapshot may differ: a task joins or leaves, or one of its operations
 * ended (`changed` follows every operation that can change `getState()`, so none is missed).
 */
const CHANGES = ['defined', 'disposed', 'changed'] as const satisfies ReadonlyArray<
  keyof ExecutorEvents
>

const SUBSCRIPTION_OPTIONS: ReadonlySet<string> = new Set([
  'intervalMs',
  'emitImmediately',
  'onlyOnChange',
] satisfies Array<keyof SnapshotSubscriptionOptions>)

export function subscribeRuntimeSnapshot(
  bus: FactSource<ExecutorEvents>,
  read: () => RuntimeSnapshot,
  listener: (snapshot: RuntimeSnapshot) => void,
  options: SnapshotSubscriptionOptions = {},
): () => void {
  if (typeof listener !== 'function') {
    throw new TypeError(
      `subscribeRuntimeSnapshot needs a listener function, received ${describe(listener)}`,
    )
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `subscribeRuntimeSnapshot options must be an object, received ${describe(options)}`,
    )
  }
  const {
    intervalMs = 250,
    emitImmediately = true,
    onlyOnChange = true,
  } = readOptions(
    'subscribeRuntimeSnapshot',
    options,
    SUBSCRIPTION_OPTIONS,
  ) as SnapshotSubscriptionOptions
  for (const [name, value] of [
    ['emitImmediately', emitImmediately],
    ['onlyOnChange', onlyOnChange],
  ] as const) {
    if (typeof value !== 'boolean') {
      throw new TypeError(`${name} must be a boolean, received ${describe(value)}`)
    }
  }
  if (
    typeof intervalMs !== 'number' ||
    !(intervalMs >= 0) ||
    !Number.isFinite(intervalMs) ||
    intervalMs > MAX_TIMER_MS
  ) {
    throw new RangeError(
      `intervalMs must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, received ${describe(intervalMs)}`,
    )
  }
  let last: RuntimeSnapshot | undefined
  let lastAt = Number.NEGATIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined

  const deliver = () => {
    timer = undefined
    const snapshot = read()
    if (onlyOnChange && last && sameSnapshot(last, snapshot)) return
    last = snapshot
    lastAt = performance.now()
    try {
      listener(snapshot)
    } catch (error) {
      reportListenerError(error)
    }
  }

  if (!onlyOnChange) {
    const interval = setInterval(deliver, Math.max(intervalMs, 1))
    if (emitImmediately) deliver()
    return () => clearInterval(interval)
  }

  const onChange = () => {
    if (timer !== undefined) return
    const wait = Math.max(0, lastAt + intervalMs - performance.now())
    timer = setTimeout(deliver, wait)
  }
  const off = CHANGES.map((type) => bus.on(type, onChange))
  if (emitImmediately) deliver()
  return () => {
    for (const unsubscribe of off) unsubscribe()
    clearTimeout(timer)
  }
}

/** Field-by-field comparison: cheaper and more honest than comparing JSON strings. */
export function sameSnapshot(a: RuntimeSnapshot, b: RuntimeSnapshot): boolean {
  if (a.tasks.length !== b.tasks.length) return false
  for (let i = 0; i < a.tasks.length; i++) {
    const x = a.tasks[i]!
    const y = b.tasks[i]!
    for (const key of Object.keys(x) as Array<keyof RuntimeTaskSnapshot>) {
      const u = x[key]
      const v = y[key]
      if (u === v) continue
      if (Array.isArray(u) && Array.isArray(v)) {
        if (u.length !== v.length || u.some((n, j) => n !== v[j])) return false
        continue
      }
      return false
    }
  }
  return true
}
