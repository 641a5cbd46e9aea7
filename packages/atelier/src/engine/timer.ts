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
  }

  clear(): void {
    if (this.#handle === undefined) return
    clearTimeout(this.#handle)
    this.#handle = undefined
  }
}
