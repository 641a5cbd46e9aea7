import { describe, hasMethod, textOf } from './describe.js'
import { AbortError } from './errors.js'

/** Receives a key's abort. The executor's call records implement it, so watching costs no closure. */
export interface KeyWatcher {
  onKeyAborted(reason: unknown): void
}

/**
 * Cancellation by key: abort everything for one document with one call.
 *
 * An aborted key stays aborted (new calls with it fail at once) until {@link clear}. A key that
 * was never aborted is held only while some call uses it, so memory does not grow with the
 * number of distinct keys.
 */
export class AbortTaskController {
  readonly #aborted = new Map<string, unknown>()
  readonly #watchers = new Map<string, Set<KeyWatcher>>()
  readonly #signals = new Map<string, AbortController>()

  /**
   * An `AbortSignal` that aborts when `key` does. Already aborted if the key is. The controller
   * holds it until the key is aborted or cleared; after `clear(key)` it never fires, so ask for a
   * new one.
   */
  signalFor(key: string): AbortSignal {
    checkKey('signalFor', key)
    const reason = this.#aborted.get(key)
    if (reason !== undefined) return AbortSignal.abort(reason)
    let controller = this.#signals.get(key)
    if (!controller) {
      controller = new AbortController()
      this.#signals.set(key, controller)
    }
    return controller.signal
  }

  /** Abort every waiting, pending and in-flight call with `key`, and every later one until cleared. */
  abort(key: string, reason?: unknown): void {
    checkKey('abort', key)
    this.#abort(key, reason)
  }

  /**
   * Abort every key of `keys`, as {@link abort} does each. The keys are all checked first: one
   * that is not a string throws before any is aborted.
   */
  abortMany(keys: Iterable<string>, reason?: unknown): void {
    let list: unknown[] | undefined
    try {
      // A string is iterable too: its characters are not the keys anyone meant.
      if (typeof keys !== 'string' && hasMethod(keys, Symbol.iterator)) list = [...keys]
    } catch (cause) {
      // A revoked Proxy, an iterator that throws: said here, with what it threw.
      const message = `AbortTaskController.abortMany: keys could not be read: ${textOf(cause)}`
      throw new TypeError(message, { cause })
    }
    if (list === undefined) {
      throw new TypeError(
        `AbortTaskController.abortMany: keys must be an iterable of keys (an array, a Set), received ${describe(keys)}`,
      )
    }
    for (const key of list) checkKey('abortMany', key)
    for (const key of list as string[]) this.#abort(key, reason)
  }

  #abort(key: string, reason: unknown = new AbortError(`Aborted key "${key}"`)): void {
    if (this.#aborted.has(key)) return
    this.#aborted.set(key, reason)
    const watchers = this.#watchers.get(key)
    if (watchers) {
      this.#watchers.delete(key)
      for (const watcher of watchers) watcher.onKeyAborted(reason)
    }
    const controller = this.#signals.get(key)
    if (controller) {
      this.#signals.delete(key)
      controller.abort(reason)
    }
  }

  isAborted(key: string): boolean {
    return this.#aborted.has(key)
  }

  /** The reason `key` was aborted with, or `undefined` if it is not aborted. */
  reasonFor(key: string): unknown {
    return this.#aborted.get(key)
  }

  /** Forget `key`: later calls with it run normally, and signals handed out for it are let go. */
  clear(key: string): void {
    this.#aborted.delete(key)
    this.#signals.delete(key)
  }

  clearAll(): void {
    this.#aborted.clear()
    this.#signals.clear()
  }

  /** @internal Notify `watcher` when `key` aborts. Returns false (and does not watch) if it already has. */
  watch(key: string, watcher: KeyWatcher): boolean {
    if (this.#aborted.has(key)) return false
    let watchers = this.#watchers.get(key)
    if (!watchers) {
      watchers = new Set()
      this.#watchers.set(key, watchers)
    }
    watchers.add(watcher)
    return true
  }

  /** @internal */
  unwatch(key: string, watcher: KeyWatcher): void {
    const watchers = this.#watchers.get(key)
    if (watchers?.delete(watcher) && watchers.size === 0) this.#watchers.delete(key)
  }

  /** @internal Entry counts, for leak tests. */
  get sizes(): { aborted: number; watchedKeys: number; signals: number } {
    return {
      aborted: this.#aborted.size,
      watchedKeys: this.#watchers.size,
      signals: this.#signals.size,
    }
  }
}

export function createAbortTaskController(): AbortTaskController {
  return new AbortTaskController()
}

/** Keys are strings, as `keyOf` returns them: any other value could never match a call. */
function checkKey(method: string, key: unknown): void {
  if (typeof key !== 'string') {
    throw new TypeError(
      `AbortTaskController.${method}: a key must be a string, received ${describe(key)}`,
    )
  }
}
