/**
 * One operation at a time. Every entry point of the executor (a call, a cancel, a worker's
 * message, a timer) runs as one operation. App code runs inside operations (listeners, `keyOf`,
 * the worker factory, getters on arguments) and may call back in; commands that arrive that way
 * wait until the running operation has finished, so none is interrupted half way through its
 * bookkeeping. After each outermost operation, `afterEach` runs once: the executor reports
 * `changed` there.
 */

/** Deferred commands run in one go at most; see `close`. */
const MAX_DEFERRED_PER_TASK = 10_000

export class Operations {
  #busy = false
  /** Commands that arrived while an operation was running, in arrival order. */
  readonly #deferred: Array<() => void> = []

  constructor(readonly afterEach: () => void) {}

  get deferredCount(): number {
    return this.#deferred.length
  }

  /** Starts an operation; false if one is already running (the caller is nested inside it). */
  open(): boolean {
    if (this.#busy) return false
    this.#busy = true
    return true
  }

  /** Runs `command` once the running operation has finished. */
  defer(command: () => void): void {
    this.#deferred.push(command)
  }

  /** Ends the outermost operation: runs the commands deferred meanwhile, then `afterEach`. */
  close(): void {
    const deferred = this.#deferred
    try {
      // Each may defer more (its own listeners call back in): they join this same loop, up to a
      // bound. A listener that answers every refusal with a new call would otherwise keep this
      // loop, and the page, busy for ever; past the bound the rest runs in a later task.
      for (let n = 0; n < MAX_DEFERRED_PER_TASK && deferred.length > 0; n++) deferred.shift()!()
    } finally {
      this.#busy = false
      this.afterEach()
      if (deferred.length > 0) setTimeout(() => this.run(() => {}), 0)
    }
  }

  /** Runs `command` now as an operation, or after the running one if there is one. */
  run(command: () => void): void {
    if (!this.open()) {
      this.defer(command)
      return
    }
    try {
      command()
    } finally {
      this.close()
    }
  }

  /** {@link run}, resolving once `command` has run (at once, unless it had to wait its turn). */
  runThen(command: () => void): Promise<void> {
    return new Promise((resolve) => {
      this.run(() => {
        try {
          command()
        } finally {
          resolve()
        }
      })
    })
  }
}
