/**
 * Whether a timer keeps the process alive, where timers can (Node, Bun, Deno: their handles have
 * `ref`/`unref`; a browser's is a number). Timers that only tidy up must not hold a process that
 * has nothing else to do.
 */
export function holdProcess(handle: unknown, hold: boolean): void {
  const timer = handle as { ref?: () => void; unref?: () => void } | undefined
  if (typeof timer !== 'object' || timer === null) return
  if (hold) timer.ref?.()
  else timer.unref?.()
}

/** One pending timeout, armed at most once at a time: the executor's idle timer. */
export class Timer {
  #handle: ReturnType<typeof setTimeout> | undefined

  get isArmed(): boolean {
    return this.#handle !== undefined
  }

  /** Arms it unless it is armed already. */
  arm(ms: number, fire: () => void): void {
    if (this.#handle !== undefined) return
    this.#handle = setTimeout(() => {
      this.#handle = undefined
      fire()
    }, ms)
    // Stopping idle workers is no reason for a process to stay up.
    holdProcess(this.#handle, false)
  }

  clear(): void {
    if (this.#handle === undefined) return
    clearTimeout(this.#handle)
    this.#handle = undefined
  }
}
