/**
 * One task call, from the call site to its settlement. The record is its own queue node, its
 * own abort listener (`handleEvent`) and its own key watcher, so a call costs one object and
 * one promise rather than a handful of closures.
 */

import type { KeyWatcher } from './abort-task-controller.js'
import type { Linked, LinkedList } from './linked-list.js'
import type { CallOutcome } from './outcomes.js'
import type { Trace } from './trace.js'
import type { WorkerSlot } from './worker-slot.js'

export interface CallOwner {
  cancel(call: Call, reason: unknown, kind: CallOutcome): void
  /** A cancelled call is still running on its worker after `cancelGraceMs`. */
  graceExpired(call: Call): void
}

export class Call implements Linked<Call>, KeyWatcher, EventListenerObject {
  prev: Call | undefined = undefined
  next: Call | undefined = undefined
  list: LinkedList<Call> | undefined = undefined

  /** The slot it runs on while in flight. */
  slot: WorkerSlot<Call> | undefined = undefined
  /** Times it was posted to a worker (more than one after crash requeues). */
  attempts = 0
  /** Settled on the caller's side. It may still occupy a worker until the worker answers. */
  settled = false
  /** Its arguments were transferred, so it cannot be replayed on another worker. */
  transferred = false
  /** The timeout while unsettled; the cancel grace period once cancelled in flight. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  /** `performance.now()` at the call, at its latest (re)queueing, and at its first and latest dispatch. */
  readonly createdAt: number
  enqueuedAt: number
  firstDispatchedAt = 0
  dispatchedAt = 0
  /** The slot index of its latest dispatch (kept after it leaves the slot, for its span). */
  workerIndex = -1
  resolve!: (value: unknown) => void
  reject!: (reason: unknown) => void

  constructor(
    readonly owner: CallOwner,
    readonly id: number,
    readonly method: string,
    public args: unknown[] | undefined,
    readonly key: string | undefined,
    readonly signal: AbortSignal | undefined,
    readonly transfer: Transferable[] | undefined,
    readonly transferResult: boolean,
    readonly trace: Trace | undefined,
  ) {
    this.createdAt = this.enqueuedAt = performance.now()
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.owner.cancel(this, this.signal!.reason, 'abort')
  }

  /** The call's key was aborted. */
  onKeyAborted(reason: unknown): void {
    this.owner.cancel(this, reason, 'abort')
  }
}
