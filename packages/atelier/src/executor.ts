/**
 * The engine behind every task: admission (through the dispatch queue), worker choice (through
 * the balancer), dispatch, cancellation, crash recovery and shutdown. Parallel and singleton
 * tasks are the same executor; a singleton is a pool of one.
 *
 * The executor reports what happens on the runtime's event bus and keeps no observability
 * state of its own beyond what `getState()` reads.
 */

import type { AbortTaskController } from './abort-task-controller.js'
import { backoffDelay } from './backoff.js'
import { type Balancer, createBalancer } from './balancer.js'
import { Call, type CallOwner } from './call.js'
import { DispatchQueue } from './dispatch-queue.js'
import {
  AbortError,
  QueueDropError,
  TaskDisposedError,
  TimeoutError,
  WorkerCrashedError,
} from './errors.js'
import type { EventBus } from './event-bus.js'
import type { ExecutorEvents } from './executor-events.js'
import type { ResolvedTaskConfig, TaskDispatchOptions } from './options.js'
import type { CallOutcome } from './outcomes.js'
import type { CallMessage, HarnessMessage } from './protocol.js'
import { deserializeError, serializeError } from './serialize-error.js'
import type { CrashRecord, TaskState, WorkerStatus } from './task-state.js'
import { findTransferables } from './transfer.js'
import { type SlotOwner, WorkerSlot } from './worker-slot.js'

const NO_TRANSFER: Transferable[] = []
/** Marks "nothing thrown", where `undefined` could be what was thrown. */
const NO_ERROR: unique symbol = Symbol('no error')

function fireTimeout(call: Call, ms: number): void {
  call.timer = undefined
  call.owner.cancel(call, new TimeoutError(ms), 'timeout')
}

function fireGrace(call: Call): void {
  call.timer = undefined
  call.owner.graceExpired(call)
}

/** A call left its worker. If the caller already heard (it was cancelled), stop its grace timer. */
function leaveSlot(call: Call): void {
  call.slot = undefined
  if (call.settled && call.timer !== undefined) {
    clearTimeout(call.timer)
    call.timer = undefined
  }
}

export class TaskExecutor implements SlotOwner<Call>, CallOwner {
  readonly #queue: DispatchQueue<Call>
  readonly #slots: WorkerSlot<Call>[] = []
  readonly #balancer: Balancer
  #nextCallId = 1
  #paused = false
  #disposed = false
  /** Set when the task failed (`fail-task`, or too many consecutive crashes). */
  #failure: WorkerCrashedError | undefined
  /** Crashes since any worker last completed a call. */
  #crashStreak = 0
  #lastCrash: CrashRecord | undefined
  #totalDispatched = 0
  #idleTimer: ReturnType<typeof setTimeout> | undefined
  #readyWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []

  constructor(
    readonly config: ResolvedTaskConfig,
    readonly bus: EventBus<ExecutorEvents>,
    readonly keys: AbortTaskController,
  ) {
    this.#queue = new DispatchQueue({
      maxInFlight: config.maxInFlight,
      maxQueueDepth: config.maxQueueDepth,
      policy: config.queuePolicy,
    })
    this.#balancer = createBalancer(config.balancer)
    for (let i = 0; i < config.poolSize; i++) {
      this.#slots.push(new WorkerSlot<Call>(i, this, config.worker, config.connectTimeoutMs))
    }
  }

  /** Called once the task is registered, so spawns are observable: eager tasks spawn here. */
  begin(): void {
    if (this.config.init === 'eager') this.#startAll()
  }

  get isDisposed(): boolean {
    return this.#disposed
  }

  /** @internal Entry counts of every per-call structure, for leak tests. */
  get internalSizes(): {
    waiting: number
    pending: number
    inFlight: number
    onSlots: number
    readyWaiters: number
  } {
    const { waiting, pending, inFlight } = this.depths
    let onSlots = 0
    for (const slot of this.#slots) onSlots += slot.calls.size
    return { waiting, pending, inFlight, onSlots, readyWaiters: this.#readyWaiters.length }
  }

  /** Queue depths and worker counts, read without building a whole state object (for gauges). */
  get depths(): {
    inFlight: number
    pending: number
    waiting: number
    liveWorkers: number
    busyWorkers: number
  } {
    const queue = this.#queue
    let liveWorkers = 0
    let busyWorkers = 0
    for (const slot of this.#slots) {
      if (slot.isAlive) liveWorkers++
      if (slot.load > 0) busyWorkers++
    }
    return {
      inFlight: queue.inFlight,
      pending: queue.pending.size,
      waiting: queue.waiting.size,
      liveWorkers,
      busyWorkers,
    }
  }

  // ---- calls -------------------------------------------------------------------------------

  call(
    method: string,
    args: unknown[],
    options: TaskDispatchOptions | undefined,
  ): Promise<unknown> {
    let key = options?.key
    let keyError: unknown = NO_ERROR
    if (key === undefined && this.config.keyOf && !this.#disposed && !this.#failure) {
      try {
        key = this.config.keyOf(...args)
      } catch (error) {
        keyError = error
      }
    }
    if (key === '') key = undefined
    const call = new Call(
      this,
      this.#nextCallId++,
      method,
      args,
      key,
      options?.signal,
      options?.transfer,
      options?.transferResult ?? true,
      options?.trace,
    )
    const promise = new Promise<unknown>((resolve, reject) => {
      call.resolve = resolve
      call.reject = reject
    })
    // Refused before it could be queued: the caller hears at once, and the call is still
    // reported like any other (a span, a settled metric).
    if (keyError !== NO_ERROR) {
      this.#settle(call, false, keyError, 'exception')
      return promise
    }
    const refusal = this.#refusal(call)
    if (refusal !== undefined) {
      this.#settle(call, false, refusal.reason, refusal.kind)
      return promise
    }
    this.#clearIdleTimer()

    const admission = this.#queue.offer(call)
    if (admission.outcome === 'refused') {
      const policy = this.config.queuePolicy as 'reject' | 'drop-latest'
      this.#settle(call, false, new QueueDropError(policy, this.config.taskId), 'queue')
      this.#armIdleTimer()
      return promise
    }
    call.signal?.addEventListener('abort', call)
    if (key !== undefined) this.keys.watch(key, call)
    const { timeoutMs } = this.config
    if (timeoutMs !== undefined) call.timer = setTimeout(fireTimeout, timeoutMs, call, timeoutMs)
    if (admission.outcome === 'evicted') {
      const error = new QueueDropError('drop-oldest', this.config.taskId)
      this.#settle(admission.evicted, false, error, 'queue')
    }
    this.bus.emit('queued', this, call)
    // A call that can go at once is posted within microseconds of being made: its creation
    // time serves as its dispatch time, which spares a second clock read on the hot path.
    this.#pump(call.createdAt)
    return promise
  }

  /** Why a new call cannot be queued at all, if it cannot. */
  #refusal(call: Call): { reason: unknown; kind: CallOutcome } | undefined {
    if (this.#disposed) {
      return { reason: new TaskDisposedError(this.config.taskId), kind: 'disposed' }
    }
    if (this.#failure) return { reason: this.#failure, kind: 'crash' }
    if (call.signal?.aborted) return { reason: call.signal.reason, kind: 'abort' }
    if (call.key !== undefined && this.keys.isAborted(call.key)) {
      return { reason: this.keys.reasonFor(call.key), kind: 'abort' }
    }
    return undefined
  }

  /** Cancels a call in any phase. The caller hears at once; a worker running it is told. */
  cancel(call: Call, reason: unknown, kind: CallOutcome): void {
    if (call.settled) return
    const slot = call.slot
    if (slot) {
      // The worker keeps the call (and its place in maxInFlight) until it answers: it is still
      // busy, and pretending otherwise would pile new work onto it.
      try {
        slot.post(['atelier:cancel', call.id, serializeError(reason)], NO_TRANSFER)
      } catch {
        // Unreachable in practice (the reason is flattened first). If it happens the handler is
        // not told, but the caller is, and cancelGraceMs still bounds the worker's time.
      }
      this.#settle(call, false, reason, kind)
      const grace = this.config.cancelGraceMs
      if (grace !== undefined) call.timer = setTimeout(fireGrace, grace, call)
      return
    }
    this.#queue.remove(call)
    this.#settle(call, false, reason, kind)
    this.#pump()
    this.#armIdleTimer()
  }

  #settle(call: Call, ok: boolean, value: unknown, kind: CallOutcome): void {
    call.settled = true
    call.signal?.removeEventListener('abort', call)
    if (call.key !== undefined) this.keys.unwatch(call.key, call)
    if (call.timer !== undefined) clearTimeout(call.timer)
    // Drop the arguments now: a cancelled call may sit on a busy worker for a while yet.
    call.args = undefined
    if (ok) call.resolve(value)
    else call.reject(value)
    this.bus.emit('settled', this, call, kind, ok ? undefined : value)
  }

  // ---- dispatch ----------------------------------------------------------------------------

  /** Dispatches what the queue lets go. `now`, if given, is the current time, read just before. */
  #pump(now?: number): void {
    const queue = this.#queue
    while (queue.canDispatch && !this.#paused && !this.#failure && !this.#disposed) {
      const slot = this.#balancer.pick(this.#slots)
      if (!slot) return
      if (slot.state === 'idle') {
        // Spawning a worker takes a while: read the clock afresh after it.
        now = undefined
        this.#startSlot(slot)
        // Its factory threw: the slot is backing off now (or the task failed). Try another.
        if (!slot.isAlive) continue
      }
      this.#dispatch(queue.take()!, slot, now ?? performance.now())
      // Posting can take a while (a large argument is copied): later calls read the clock.
      now = undefined
    }
  }

  #dispatch(call: Call, slot: WorkerSlot<Call>, now: number): void {
    const args = call.args!
    const transfer = call.transfer ?? findTransferables(args)
    const message: CallMessage = ['atelier:call', call.id, call.method, args]
    if (!call.transferResult) message.push(call.key, true)
    else if (call.key !== undefined) message.push(call.key)
    try {
      slot.post(message, transfer)
    } catch (error) {
      // Nothing was sent (postMessage transfers only after cloning succeeds): fail this call alone.
      this.#queue.release()
      this.#settle(call, false, describeCloneFailure(error, args), 'exception')
      return
    }
    if (transfer.length > 0) call.transferred = true
    call.slot = slot
    call.attempts++
    call.workerIndex = slot.index
    call.dispatchedAt = now
    if (call.firstDispatchedAt === 0) call.firstDispatchedAt = call.dispatchedAt
    slot.calls.set(call.id, call)
    this.#totalDispatched++
    this.bus.emit('dispatched', this, call, slot)
  }

  // ---- what the workers say ----------------------------------------------------------------

  onReady(slot: WorkerSlot<Call>): void {
    this.bus.emit('ready', this, slot)
    this.#resolveReadyWaiters()
    this.#armIdleTimer()
  }

  onMessage(slot: WorkerSlot<Call>, message: HarnessMessage): void {
    const type = message[0]
    if (type === 'atelier:ready') return
    const call = slot.calls.get(message[1])
    if (!call) return
    slot.calls.delete(call.id)
    leaveSlot(call)
    // Any answer, even a handler's error, shows the worker is healthy.
    slot.crashStreak = 0
    this.#crashStreak = 0
    this.#queue.release()
    if (!call.settled) {
      if (type === 'atelier:result') this.#settle(call, true, message[2], 'ok')
      else this.#settle(call, false, deserializeError(message[2]), 'exception')
    }
    this.#pump()
    this.#armIdleTimer()
  }

  onCrash(slot: WorkerSlot<Call>, cause: Error, calls: Call[]): void {
    if (this.#disposed) return
    this.#crashStreak++
    slot.crashStreak++
    this.#lastCrash = { ts: Date.now(), error: cause, workerIndex: slot.index }
    this.bus.emit('crashed', this, slot, cause)
    const { crashPolicy, crashMaxRetries, taskId } = this.config

    if (crashPolicy === 'fail-task' || this.#crashStreak > crashMaxRetries) {
      this.#failure =
        crashPolicy === 'fail-task'
          ? new WorkerCrashedError(taskId, slot.index, { cause })
          : new WorkerCrashedError(taskId, slot.index, {
              cause,
              message: `Task "${taskId}" failed: its workers crashed ${this.#crashStreak} times in a row (crashMaxRetries is ${crashMaxRetries})`,
            })
      this.#shutdown(this.#failure, 'crash', calls)
      this.#rejectReadyWaiters(this.#failure)
      return
    }
    this.#recover(slot, cause, calls, backoffDelay(slot.crashStreak))
  }

  /** A cancelled call ignored its signal for `cancelGraceMs`: replace its worker. */
  graceExpired(call: Call): void {
    const slot = call.slot
    if (!slot || this.#disposed) return
    const cause = new Error(
      `Call ${call.id} ("${call.method}") kept running ${this.config.cancelGraceMs} ms after it was cancelled; its worker was terminated`,
    )
    this.bus.emit('terminated', this, slot)
    // A deliberate kill, not a crash: no backoff, and it does not count toward failing the task.
    this.#recover(slot, cause, slot.terminate(), 0)
  }

  /** Deals with the calls of a worker that died or was killed, then restarts it after `delayMs`. */
  #recover(slot: WorkerSlot<Call>, cause: Error, calls: Call[], delayMs: number): void {
    const { crashPolicy, crashMaxRetries, taskId } = this.config
    const error = new WorkerCrashedError(taskId, slot.index, { cause })
    for (const call of calls) {
      leaveSlot(call)
      if (call.settled) {
        this.#queue.release()
      } else if (
        crashPolicy === 'restart-requeue-in-flight' &&
        call.attempts <= crashMaxRetries &&
        // Transferred arguments went down with the worker; there is nothing left to replay.
        !call.transferred
      ) {
        call.enqueuedAt = performance.now()
        this.#queue.requeue(call)
        this.bus.emit('requeued', this, call)
      } else {
        this.#queue.release()
        this.#settle(call, false, error, 'crash')
      }
    }
    slot.backOff(delayMs, () => {
      if (this.#wantsWorkers()) this.#startSlot(slot)
      this.#pump()
    })
    this.#pump()
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Resumes a stopped or failed task and resolves once every worker is ready. */
  startWorkers(): Promise<void> {
    if (this.#disposed) return Promise.reject(new TaskDisposedError(this.config.taskId))
    this.#paused = false
    if (this.#failure) {
      this.#failure = undefined
      this.#crashStreak = 0
      for (const slot of this.#slots) slot.crashStreak = 0
    }
    const ready = new Promise<void>((resolve, reject) => {
      this.#readyWaiters.push({ resolve, reject })
    })
    this.#startAll()
    this.#resolveReadyWaiters()
    this.#pump()
    return ready
  }

  /**
   * Pauses the task: terminates the workers and puts their calls back at the head of the queue
   * (calls keep being accepted). `startWorkers()` resumes.
   */
  stopWorkers(): Promise<void> {
    if (this.#disposed) return Promise.resolve()
    this.#paused = true
    this.#clearIdleTimer()
    const interrupted = this.#terminateAll()
    // Requeue newest first so that, unshifted one by one, they keep their original order.
    interrupted.sort((a, b) => b.id - a.id)
    for (const call of interrupted) {
      if (call.settled) {
        this.#queue.release()
      } else if (call.transferred) {
        this.#queue.release()
        const reason = new AbortError(
          `Task "${this.config.taskId}" was stopped while this call ran; its transferred arguments went with the worker, so it cannot be replayed`,
        )
        this.#settle(call, false, reason, 'abort')
      } else {
        call.attempts--
        call.enqueuedAt = performance.now()
        this.#queue.requeue(call)
        this.bus.emit('requeued', this, call)
      }
    }
    this.#rejectReadyWaiters(
      new AbortError('stopWorkers() was called before the workers were ready'),
    )
    return Promise.resolve()
  }

  /** Rejects everything queued or running with `TaskDisposedError` and terminates the workers. */
  dispose(): Promise<void> {
    if (this.#disposed) return Promise.resolve()
    this.#disposed = true
    const error = new TaskDisposedError(this.config.taskId)
    this.#shutdown(error, 'disposed', [])
    this.#rejectReadyWaiters(error)
    this.bus.emit('disposed', this)
    return Promise.resolve()
  }

  #wantsWorkers(): boolean {
    return (
      !this.#paused &&
      !this.#failure &&
      !this.#disposed &&
      (this.config.init === 'eager' ||
        this.#readyWaiters.length > 0 ||
        this.#queue.pending.size > 0)
    )
  }

  #startSlot(slot: WorkerSlot<Call>): void {
    slot.start()
    if (slot.isAlive) this.bus.emit('spawned', this, slot)
  }

  #startAll(): void {
    for (const slot of this.#slots) {
      if (this.#failure) return
      if (slot.state === 'idle') this.#startSlot(slot)
    }
  }

  /** Terminates every worker; returns the calls that were on them (their places still held). */
  #terminateAll(): Call[] {
    const calls: Call[] = []
    for (const slot of this.#slots) {
      const wasAlive = slot.isAlive
      for (const call of slot.terminate()) {
        leaveSlot(call)
        calls.push(call)
      }
      if (wasAlive) this.bus.emit('terminated', this, slot)
    }
    return calls
  }

  /** Ends every call with `error` and terminates the workers. `orphans` are calls off a dead worker. */
  #shutdown(error: Error, kind: CallOutcome, orphans: Call[]): void {
    this.#clearIdleTimer()
    for (const call of [...orphans, ...this.#terminateAll()]) {
      leaveSlot(call)
      this.#queue.release()
      if (!call.settled) this.#settle(call, false, error, kind)
    }
    for (const call of this.#queue.drain()) this.#settle(call, false, error, kind)
  }

  #resolveReadyWaiters(): void {
    if (this.#readyWaiters.length === 0 || !this.#slots.every((s) => s.state === 'ready')) return
    const waiters = this.#readyWaiters
    this.#readyWaiters = []
    for (const waiter of waiters) waiter.resolve()
  }

  #rejectReadyWaiters(error: unknown): void {
    const waiters = this.#readyWaiters
    this.#readyWaiters = []
    for (const waiter of waiters) waiter.reject(error)
  }

  // ---- idle timeout ------------------------------------------------------------------------

  #armIdleTimer(): void {
    const ms = this.config.idleTimeoutMs
    if (ms === undefined || this.#idleTimer !== undefined || !this.#isIdle()) return
    if (!this.#slots.some((s) => s.isAlive)) return
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined
      if (this.#isIdle() && !this.#disposed) this.#terminateAll()
    }, ms)
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer === undefined) return
    clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
  }

  #isIdle(): boolean {
    const queue = this.#queue
    return queue.inFlight === 0 && queue.pending.size === 0 && queue.waiting.size === 0
  }

  // ---- state -------------------------------------------------------------------------------

  getState(): TaskState {
    const { config } = this
    const queue = this.#queue
    let activeWorkers = 0
    let busyWorkers = 0
    let backingOff = false
    const queueDepthByWorker: number[] = []
    for (const slot of this.#slots) {
      if (slot.isAlive) activeWorkers++
      if (slot.state === 'backoff') backingOff = true
      if (slot.load > 0) busyWorkers++
      queueDepthByWorker.push(slot.load)
    }
    const workerStatus: WorkerStatus = this.#failure
      ? 'crashed'
      : activeWorkers > 0
        ? 'running'
        : backingOff
          ? 'crashed'
          : 'stopped'
    return {
      taskId: config.taskId,
      taskName: config.taskName,
      type: config.type,
      totalWorkers: config.poolSize,
      activeWorkers,
      busyWorkers,
      workerStatus,
      failed: this.#failure !== undefined,
      taskStatus: this.#paused ? 'paused' : this.#isIdle() ? 'idle' : 'active',
      lastCrash: this.#lastCrash,
      totalDispatched: this.#totalDispatched,
      poolSize: config.poolSize,
      queueDepth: queue.inFlight,
      pendingQueueDepth: queue.pending.size,
      waitingQueueDepth: queue.waiting.size,
      maxInFlight: config.maxInFlight,
      maxQueueDepth: config.maxQueueDepth,
      queuePolicy: config.queuePolicy,
      queueDepthByWorker,
    }
  }
}

/**
 * `postMessage` names no culprit when cloning fails. Find the argument that cannot be cloned
 * (cheap enough: this runs only on failure) so the caller's error says which one.
 */
function describeCloneFailure(error: unknown, args: unknown[]): Error {
  if (!(error instanceof Error) || error.name !== 'DataCloneError') return error as Error
  for (let i = 0; i < args.length; i++) {
    try {
      structuredClone(args[i])
    } catch {
      return new TypeError(`Argument ${i} could not be sent to the worker: ${error.message}`, {
        cause: error,
      })
    }
  }
  return new TypeError(`The arguments could not be sent to the worker: ${error.message}`, {
    cause: error,
  })
}
