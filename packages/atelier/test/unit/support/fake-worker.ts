/**
 * A stand-in worker for unit tests of timing: it speaks the harness's side of the protocol at
 * once (on a microtask), so fake timers can drive the executor to the millisecond. Real threads
 * are tested in the browser project; this is for the arithmetic of timers.
 */
import type { HarnessMessage } from '../../../src/wire/protocol.js'

type Listener = (event: { data?: unknown; preventDefault(): void; message?: string }) => void

export class FakeWorker {
  static spawned: FakeWorker[] = []
  readonly listeners: Record<string, Listener[]> = { message: [], error: [], messageerror: [] }
  terminated = false
  /** While set, calls are kept (in `held`) instead of answered. */
  holding = false
  readonly held: number[] = []
  /** The arguments of every call received, in the order received. */
  readonly received: unknown[][] = []

  constructor() {
    FakeWorker.spawned.push(this)
  }
  addEventListener(type: string, listener: Listener) {
    this.listeners[type]!.push(listener)
  }
  terminate() {
    this.terminated = true
  }
  postMessage(message: unknown) {
    if (this.terminated) return
    if (Array.isArray(message) && message[0] === 'atelier:calls') {
      for (const call of message[1] as unknown[]) this.postMessage(call)
    } else if (Array.isArray(message) && message[0] === 'atelier:call') {
      const id = message[1] as number
      this.received.push(message[3] as unknown[])
      if (this.holding) this.held.push(id)
      else this.#answer(['atelier:result', id, 'ok'])
    } else if ((message as { type?: string }).type === 'APPLY') {
      this.#answer(['atelier:ready', ['run'], []])
    }
  }
  /** Answers every held call. */
  release() {
    this.holding = false
    for (const id of this.held.splice(0)) this.#answer(['atelier:result', id, 'ok'])
  }
  crash() {
    for (const listener of this.listeners.error!) {
      listener({ message: 'Uncaught Error: boom', preventDefault() {} })
    }
  }
  #answer(data: HarnessMessage) {
    queueMicrotask(() => {
      if (this.terminated) return
      for (const listener of this.listeners.message!) listener({ data, preventDefault() {} })
    })
  }
}
