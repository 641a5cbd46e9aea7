/**
 * Gates: a handler says it started and waits until the test releases it (or tells it to crash),
 * or until its call is aborted, which it reports too. They travel on a BroadcastChannel, which
 * reaches every worker of the process (or page) in all four runtimes without going through the
 * runtime under test, so tests wait on events rather than on time.
 */

export const GATE_CHANNEL = 'atelier-runtimes-gates'

export type GateMessage =
  /** From a worker: the handler holding `gate` started, on the worker named `worker`. */
  | { type: 'started'; gate: string; worker: string }
  /** From a worker: the handler's `ctx.signal` aborted with a reason of this class name. */
  | { type: 'aborted'; gate: string; reason: string }
  /** From a test: the handler holding `gate` (now or later) resolves with `value`. */
  | { type: 'release'; gate: string; value?: unknown }
  /** From a test: the worker running the handler holding `gate` (now) dies. */
  | { type: 'crash'; gate: string }

/** The test's side of the gates. */
export class Gates {
  #opened: BroadcastChannel | undefined
  readonly #seen: GateMessage[] = []
  readonly #listeners = new Set<() => void>()
  /** Gates released, and with what: said again to a handler that starts holding one later. */
  readonly #released = new Map<string, unknown>()
  #unique = 0

  /**
   * Opened by the first gate (before any worker can report one): a suite only listed for its
   * test names opens no channel.
   */
  #channel(): BroadcastChannel {
    if (this.#opened === undefined) {
      this.#opened = new BroadcastChannel(GATE_CHANNEL)
      this.#opened.onmessage = (event: MessageEvent<GateMessage>) => {
        const message = event.data
        this.#seen.push(message)
        // A worker spawned moments before a release may not hear it (seen in Chromium, with a
        // call replayed on a restarted worker): say it again when the holder announces itself.
        if (message.type === 'started' && this.#released.has(message.gate)) {
          const value = this.#released.get(message.gate)
          this.#opened?.postMessage({
            type: 'release',
            gate: message.gate,
            value,
          } satisfies GateMessage)
        }
        for (const listener of this.#listeners) listener()
      }
    }
    return this.#opened
  }

  /** A gate name no other call uses (workers remember released gates). */
  gate(label = 'g'): string {
    this.#channel()
    return `${label}-${++this.#unique}-${Math.random().toString(36).slice(2, 8)}`
  }

  /** Resolves with the worker's name once the `nth` handler holding `gate` has started. */
  started(gate: string, nth = 1): Promise<string> {
    return this.#waitFor(() => this.#starts(gate)[nth - 1])
  }

  /** How many handlers holding `gate` have started so far. */
  startCount(gate: string): number {
    return this.#starts(gate).length
  }

  /** Resolves with the abort reason's class name once the handler holding `gate` saw it. */
  aborted(gate: string): Promise<string> {
    return this.#waitFor(() => {
      const found = this.#seen.find((m) => m.type === 'aborted' && m.gate === gate)
      return found?.type === 'aborted' ? found.reason : undefined
    })
  }

  release(gate: string, value?: unknown): void {
    this.#released.set(gate, value)
    this.#channel().postMessage({ type: 'release', gate, value } satisfies GateMessage)
  }

  crash(gate: string): void {
    this.#channel().postMessage({ type: 'crash', gate } satisfies GateMessage)
  }

  close(): void {
    this.#opened?.close()
    this.#opened = undefined
  }

  #starts(gate: string): string[] {
    const workers: string[] = []
    for (const m of this.#seen) if (m.type === 'started' && m.gate === gate) workers.push(m.worker)
    return workers
  }

  #waitFor<T>(find: () => T | undefined): Promise<T> {
    const found = find()
    if (found !== undefined) return Promise.resolve(found)
    return new Promise((resolve) => {
      const check = () => {
        const value = find()
        if (value === undefined) return
        this.#listeners.delete(check)
        resolve(value)
      }
      this.#listeners.add(check)
    })
  }
}
