import { reportListenerError } from '../report-error.js'

/**
 * The executor's one internal channel for lifecycle facts. Metrics, spans, snapshots and traces
 * are listeners here; the executor never calls them directly.
 *
 * Emitting with no listener costs a property read, so the executor emits unconditionally and
 * passes its own records rather than building event objects. A throwing listener is reported
 * (see `reportListenerError`) and never breaks dispatch or the other listeners.
 */
export class EventBus<Events extends { [K in keyof Events]: unknown[] }> {
  readonly #listeners: { [K in keyof Events]?: Array<(...args: Events[K]) => void> } = {}

  on<K extends keyof Events>(type: K, listener: (...args: Events[K]) => void): () => void {
    // Copy on write: emit() may be iterating the current array.
    this.#listeners[type] = [...(this.#listeners[type] ?? []), listener]
    let subscribed = true
    return () => {
      // One subscription, one removal: the same function subscribed twice stays once.
      const list = this.#listeners[type]
      if (!subscribed || !list) return
      subscribed = false
      const next = [...list]
      next.splice(next.indexOf(listener), 1)
      this.#listeners[type] = next.length ? next : undefined
    }
  }

  has(type: keyof Events): boolean {
    return this.#listeners[type] !== undefined
  }

  // Fixed parameters rather than a rest array: emit runs several times per call, and a rest
  // parameter would allocate an array each time even with nobody listening. Facts carry at most
  // four values; listeners ignore the trailing undefineds. (The cast states the typed contract,
  // which TypeScript cannot check against fixed parameters.)
  readonly emit = ((type: keyof Events, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => {
    const list = this.#listeners[type] as Array<(...args: unknown[]) => void> | undefined
    if (!list) return
    for (const listener of list) {
      try {
        listener(a, b, c, d)
      } catch (error) {
        reportListenerError(error)
      }
    }
  }) as unknown as <K extends keyof Events>(type: K, ...args: Events[K]) => void
}
