/**
 * One task call, from the call site to its settlement. The record is its own queue node, its
 * own signal watcher and its own key watcher, so a call costs one object and one promise rather
 * than a handful of closures.
 */

import type { KeyWatcher } from '../abort-task-controller.js'
import { TimeoutError } from '../errors.js'
import type { ResolvedDispatchOptions, ResolvedTaskConfig, TraceRef } from '../options.js'
import type { CallOutcome } from '../outcomes.js'
import { PRIORITIES, priorityLevel, signalPriority, type TaskPriority } from '../priority.js'
import { activeOtelParent, nextSpanId, traceparent } from '../trace-context.js'
import type { LinkedList } from './linked-list.js'
import type { Prioritized, PriorityLevel } from './priority-lists.js'
import type { SignalWatcher } from './signal-watch.js'
import type { WorkerSlot } from './worker-slot.js'

export interface CallOwner {
  cancel(call: Call, reason: unknown, kind: CallOutcome): void
  /** The priority of the call's `TaskSignal` changed. */
  reprioritize(call: Call, priority: PriorityLevel): void
  /** A cancelled call is still running on its worker after `cancelGraceMs`. */
  graceExpired(call: Call): void
}

/** What a call's stream is, to the engine: where its chunks go, and how it ends. */
export interface ChunkSink {
  /** Chunks received and not yet taken by the consumer (what the stream holds in memory). */
  readonly unread: number
  push(values: unknown[]): void
  /** Settles the stream; `value` is {@link STREAM_END} when its generator returned. */
  finish(ok: boolean, value: unknown, kind: CallOutcome): void
}

/** The value a streaming call settles with when its generator returned (not a plain result). */
export const STREAM_END: unique symbol = Symbol('atelier:stream end')

/** What a call takes from its task when it does not say. */
export type CallDefaults = Pick<ResolvedTaskConfig, 'streamWindow' | 'priority'>

export class Call implements Prioritized<Call>, KeyWatcher, SignalWatcher {
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
  /** When it settled, read only for listeners of the `settled` fact (0 otherwise). */
  settledAt = 0
  /** The slot index of its latest dispatch (kept after it leaves the slot, for its span). */
  workerIndex = -1
  /** The harness was asked whether it read this call (see `SyncMessage`). */
  synced = false
  /** The id of the first call in the message it was posted in (its own, if it went alone). */
  sentWith = 0
  /** Its worker held no other call when it was dispatched (see `pacer.ts`). */
  alone = false
  /** Its cancellation key: given with `with({ key })`, else derived by `keyOf` at admission. */
  key: string | undefined
  resolve!: (value: unknown) => void
  reject!: (reason: unknown) => void

  /** The caller's stream, when the call was made as one (its method streams, or may). */
  sink: ChunkSink | undefined = undefined
  /** Chunks received, and when the first came (`performance.now()`; 0 before). */
  chunks = 0
  firstChunkAt = 0
  /** Known to stream: its method is a generator, or its worker sent chunks or an end. */
  streamed = false
  /** Chunks of a call made as a plain one whose worker streamed: awaiting gets them all. */
  collected: unknown[] | undefined = undefined

  /** The caller's signal; dropped when the call settles, with everything else of the caller's. */
  signal: AbortSignal | undefined
  transfer: Transferable[] | undefined
  readonly transferResult: boolean
  readonly trace: TraceRef | undefined
  onProgress: ((value: unknown) => void) | undefined
  /** The stream's window (its worker's initial credit); sent only with calls that may stream. */
  readonly window: number
  /** Its priority level (0 highest), and when it joined the queue, for aging. */
  priority: PriorityLevel
  queuedSince: number
  agedFrom: number | undefined = undefined
  /** Its priority follows its `TaskSignal`'s (it was given none of its own). */
  readonly followsSignal: boolean
  /**
   * W3C trace context it carries into its worker, when it has one: from its Atelier trace (its
   * own span id, which its span then reports), or from the caller's OpenTelemetry span.
   */
  traceId: string | undefined = undefined
  spanId: string | undefined = undefined
  /** The caller's OpenTelemetry span, when the call was made inside one, and whether it is sampled. */
  parentSpanId: string | undefined = undefined
  parentSampled: boolean | undefined = undefined
  traceparent: string | undefined = undefined
  tracestate: string | undefined = undefined

  constructor(
    readonly owner: CallOwner,
    /** Unique within the task; a call takes a new one each time it is posted (see the executor's dispatch). */
    public id: number,
    readonly method: string,
    public args: unknown[] | undefined,
    options: ResolvedDispatchOptions | undefined,
    defaults: CallDefaults,
  ) {
    this.key = options?.key
    this.signal = options?.signal
    this.transfer = options?.transfer
    this.transferResult = options?.transferResult ?? true
    this.trace = options?.trace
    this.onProgress = options?.onProgress
    this.window = options?.streamWindow ?? defaults.streamWindow
    const own = options?.priority
    const signalled = own === undefined ? signalPriority(this.signal) : undefined
    this.followsSignal = signalled !== undefined
    this.priority = priorityLevel(own ?? signalled ?? PRIORITIES[defaults.priority]!)
    this.createdAt = this.enqueuedAt = this.queuedSince = performance.now()
    this.#traceContext()
  }

  /** Read now, while the caller's context is the active one. Costs a lookup when tracing is off. */
  #traceContext(): void {
    const trace = this.trace
    if (trace !== undefined) {
      this.traceId = trace.id
      this.spanId = nextSpanId()
      this.traceparent = traceparent(trace.id, this.spanId, trace.sampled)
      return
    }
    const parent = activeOtelParent()
    if (parent === undefined) return
    this.traceId = parent.traceId
    this.parentSpanId = parent.spanId
    this.parentSampled = parent.sampled
    this.traceparent = traceparent(parent.traceId, parent.spanId, parent.sampled)
    this.tracestate = parent.tracestate
  }

  /** Its `TaskSignal`'s priority changed (only signals it follows report to it). */
  onSignalPriority(priority: TaskPriority): void {
    if (this.followsSignal) this.owner.reprioritize(this, priorityLevel(priority))
  }

  /** The caller's signal aborted. */
  onSignalAborted(reason: unknown): void {
    this.owner.cancel(this, reason, 'abort')
  }

  /** The call's key was aborted. */
  onKeyAborted(reason: unknown): void {
    this.owner.cancel(this, reason, 'abort')
  }
}

export function fireTimeout(call: Call, ms: number): void {
  call.timer = undefined
  call.owner.cancel(call, new TimeoutError(ms), 'timeout')
}

export function fireGrace(call: Call): void {
  call.timer = undefined
  call.owner.graceExpired(call)
}

/** Whether a call can run again on another worker: not once anything of it went one way for good. */
export function isReplayable(call: Call): boolean {
  return !call.transferred && call.chunks === 0
}

/** A call left its worker. If the caller already heard (it was cancelled), stop its grace timer. */
export function leaveSlot(call: Call): void {
  call.slot = undefined
  if (call.settled && call.timer !== undefined) {
    clearTimeout(call.timer)
    call.timer = undefined
  }
}
