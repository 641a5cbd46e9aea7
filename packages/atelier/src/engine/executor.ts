/**
 * The engine behind every task: admission (through the dispatch queue), worker choice (through
 * the balancer), dispatch, cancellation, crash recovery and shutdown. Parallel and singleton
 * tasks are the same executor; a singleton is a pool of one.
 *
 * The executor reports what happens on the runtime's event bus and keeps no observability
 * state of its own beyond what `getState()` reads. Its entry points run as operations, one at a
 * time (`operations.ts`): app code that calls back in waits its turn.
 */

import type { AbortTaskController } from '../abort-task-controller.js'
import { AbortError, TaskDisposedError, WorkerCrashedError } from '../errors.js'
import type { ExecutorEvents, TaskDepths } from '../facts.js'
import type { ResolvedDispatchOptions, ResolvedTaskConfig } from '../options.js'
import type { CallOutcome } from '../outcomes.js'
import type { CrashRecord, TaskState } from '../task-state.js'
import { atTurnEnd } from '../turn-end.js'
import type { EndMessage, ErrorMessage, HarnessMessage, ResultMessage } from '../wire/protocol.js'
import { deserializeError } from '../wire/serialize-error.js'
import { type Balancer, createBalancer } from './balancer.js'
import { Call, type CallOwner, leaveSlot } from './call.js'
import { CallDesk } from './call-desk.js'
import type { StreamOwner } from './call-stream.js'
import { graceKill, judgeCrash, startFailure, taskFailure } from './crash-policy.js'
import { DispatchQueue } from './dispatch-queue.js'
import type { EventBus } from './event-bus.js'
import { askAbout, lostAnswerError, queryAnswers } from './lost-messages.js'
import { Operations } from './operations.js'
import { Pacer } from './pacer.js'
import { Pool } from './pool.js'
import { flushOutbox, type PostOwner, queueCall } from './post-call.js'
import type { PriorityLevel } from './priority-lists.js'
import { deliverProgress } from './progress.js'
import { describeDepths, describeSizes, describeState } from './state.js'
import { answerFor, endOf, grantCredit, receiveChunks } from './streams.js'
import { Timer } from './timer.js'
import { isAnswer, type SlotOwner, type WorkerSlot } from './worker-slot.js'

export class TaskExecutor implements SlotOwner<Call>, CallOwner, StreamOwner, PostOwner {
  readonly #queue: DispatchQueue<Call>
  readonly #pool: Pool<Call>
  readonly #balancer: Balancer
  readonly #desk: CallDesk
  /** Paces how many calls each worker holds, when the app left `maxInFlight` to Atelier. */
  readonly #pacer: Pacer | undefined
  readonly #ops = new Operations(() => {
    // A process with an idle task may exit (Node, Bun); one with calls to answer may not.
    this.#pool.keepAlive(!this.#isIdle())
    this.bus.emit('changed', this)
  })
  #nextCallId = 1
  #paused = false
  #disposed = false
  /** Set when the task failed (`fail-task`, or too many consecutive crashes). */
  #failure: WorkerCrashedError | undefined
  /** Crashes since any worker last completed a call. */
  #crashStreak = 0
  #lastCrash: CrashRecord | undefined
  #totalDispatched = 0
  readonly #idleTimer = new Timer()
  /**
   * The methods that stream (generator handlers), as the first worker to be ready said. Until
   * then every call is made as a stream, which also works as a promise.
   */
  #streaming: ReadonlySet<string> | undefined
  /** Slots posted to this turn, whose outboxes are posted at its end (see `post-call.ts`). */
  #unsent: Array<WorkerSlot<Call>> = []
  /** In `#pump`: a place freed meanwhile is taken by the loop already running. */
  #pumping = false

  constructor(
    readonly config: ResolvedTaskConfig,
    readonly bus: EventBus<ExecutorEvents>,
    readonly keys: AbortTaskController,
  ) {
    this.#queue = new DispatchQueue({
      maxInFlight: config.maxInFlight,
      maxQueueDepth: config.maxQueueDepth,
      policy: config.queuePolicy,
      agingMs: config.priorityAgingMs,
    })
    this.#desk = new CallDesk(this, config, bus, keys, this.#queue)
    this.#pacer = config.adaptiveInFlight ? new Pacer() : undefined
    this.#balancer = createBalancer(config.balancer)
    this.#pool = new Pool(config.poolSize, this, config.worker, config.connectTimeoutMs)
  }

  /** Called once the task is registered, so spawns are observable: eager tasks spawn here. */
  begin(): void {
    if (this.config.init === 'eager') this.#ops.run(() => this.#startAll())
  }

  get isDisposed(): boolean {
    return this.#disposed
  }

  /** @internal Entry counts of every per-call structure, for leak tests. */
  get internalSizes() {
    return describeSizes(this.#queue, this.#pool, this.#ops.deferredCount)
  }

  /** Queue depths and worker counts, read without building a whole state object (for gauges). */
  get depths(): TaskDepths {
    return describeDepths(this.#queue, this.#pool.counts())
  }

  // ---- calls -------------------------------------------------------------------------------

  /**
   * Never throws: whatever goes wrong with this call rejects its promise (or ends its stream)
   * and nothing else.
   */
  call(
    method: string,
    args: unknown[],
    options: ResolvedDispatchOptions | undefined,
  ): Promise<unknown> {
    // Inline rather than through `#ops.run`: no closure per call on the hot path.
    const outer = this.#ops.open()
    try {
      // No call made yet (ids count from 1): the first one starts a worker early.
      if (this.#nextCallId === 1 && outer) this.#startEarly()
      const call = new Call(this, this.#nextCallId++, method, args, options, this.config)
      const promise = answerFor(this, call, this.#streaming)
      if (outer) this.#admit(call)
      else this.#ops.defer(() => this.#admit(call))
      return promise
    } finally {
      if (outer) this.#ops.close()
    }
  }

  /**
   * The first call of a task whose workers are all still to start (a lazy task) starts the first
   * one before doing anything else, rather than when it is dispatched: the worker's start (a
   * thread, its module fetched and compiled, tens of ms) then overlaps the rest of the call's
   * way, which on a page's start-up is run, and so compiled, for the first time (about a
   * millisecond). It is the worker the call's dispatch would have started; a call refused after
   * all leaves it idle, as a finished call would.
   */
  #startEarly(): void {
    if (this.#failure || this.#disposed || this.#paused || this.#pool.anyAlive) return
    // A pool has a slot at least.
    const first = this.#pool.slots[0]!
    if (first.state === 'idle') this.#startSlot(first)
  }

  #admit(call: Call): void {
    const desk = this.#desk
    try {
      // Refused before it could be queued: the caller hears at once, and the call is still
      // reported like any other (a span, a settled metric).
      const refusal = desk.refusal(call, this.#disposed, this.#failure)
      if (refusal !== undefined) {
        desk.settle(call, false, refusal.reason, refusal.kind)
        return
      }
      this.#idleTimer.clear()
      if (!desk.enqueue(call)) {
        this.#armIdleTimer()
        return
      }
      // A call that can go at once is posted within microseconds of being made: its creation
      // time serves as its dispatch time, which spares a second clock read on the hot path.
      this.#pump(call.createdAt)
    } catch (error) {
      // Nothing above should throw; if it does, this call fails alone and leaves no trace.
      if (!call.settled) {
        if (call.list !== undefined) this.#queue.remove(call)
        desk.settle(call, false, error, 'exception')
      }
    }
  }

  /** Cancels a call in any phase. The caller hears at once; a worker running it is told. */
  cancel(call: Call, reason: unknown, kind: CallOutcome): void {
    if (call.settled) return
    this.#ops.run(() => this.#cancel(call, reason, kind))
  }

  /** A queued call's priority changed (its `TaskSignal`'s did): it is re-ordered. */
  reprioritize(call: Call, priority: PriorityLevel): void {
    if (call.settled) return
    this.#ops.run(() => {
      if (!call.settled) this.#queue.reprioritize(call, priority)
    })
  }

  #cancel(call: Call, reason: unknown, kind: CallOutcome): void {
    if (call.settled || !this.#desk.cancel(call, reason, kind)) return
    // It left the queue: its place can go to another call.
    this.#pump()
    this.#armIdleTimer()
  }

  // ---- dispatch ----------------------------------------------------------------------------

  /** Dispatches what the queue lets go. `now`, if given, is the current time, read just before. */
  #pump(now?: number): void {
    if (this.#pumping) return
    this.#pumping = true
    try {
      this.#pumpAll(now)
    } finally {
      this.#pumping = false
    }
  }

  #pumpAll(now: number | undefined): void {
    const queue = this.#queue
    while (queue.canDispatch && !this.#paused && !this.#failure && !this.#disposed) {
      let slot = this.#balancer.pick(this.#pool.slots)
      if (!slot) return
      if (slot.state === 'idle') {
        // The least busy place is an empty slot: spawn its worker, unless enough are already on
        // their way for what is pending. The calls go once a worker says it is ready.
        if (this.#pool.startingCount >= queue.pending.size) return
        this.#startSlot(slot)
        continue
      }
      // Rather than pile onto a busy worker, wait for the idle one on its way.
      if (slot.load > 0 && this.#pool.startingCount > 0) return
      now ??= performance.now()
      if (slot.load > 0 && this.#pacer !== undefined) {
        // Paced: no call waits behind one that has run long; its worker's next answer, or an
        // idle worker, takes it.
        slot = this.#notStalled(slot, now)
        if (slot === undefined) return
      }
      // Posting can take a while (a large argument is copied): after a call that went at once,
      // later calls read the clock; those that wait in an outbox share it.
      if (this.#dispatch(queue.take()!, slot, now)) now = undefined
    }
  }

  /** `slot`, or the balancer's next choice among the slots not stalled (see `pacer.ts`). */
  #notStalled(slot: WorkerSlot<Call>, now: number): WorkerSlot<Call> | undefined {
    // The usual answer, with no closure or array made for it: this runs for most paced calls.
    if (!this.#stalled(slot, now)) return slot
    return this.#balancer.pick(
      this.#pool.slots.filter((s) => s.state === 'ready' && !this.#stalled(s, now)),
    )
  }

  #stalled(slot: WorkerSlot<Call>, now: number): boolean {
    return slot.load > 0 && this.#pacer!.stalled(slot.progressAt, now)
  }

  /** Hands `call` to `slot`'s worker; true if it was posted at once. */
  #dispatch(call: Call, slot: WorkerSlot<Call>, now: number): boolean {
    // A worker must see its calls in increasing id order (see `UnreadableMessage`), and a call
    // posted again after a crash or a stop goes ahead of calls made after it: so a call takes its
    // id when it is dispatched, and the id names its latest attempt.
    call.id = this.#nextCallId++
    call.synced = false
    try {
      queueCall(slot, call)
    } catch (error) {
      this.#queue.release()
      this.#desk.settle(call, false, error, 'exception')
      return false
    }
    // The worker's from now: it counts in its load, and goes down with it if it crashes first.
    call.alone = slot.calls.size === 0
    if (call.alone) slot.progressAt = now
    call.slot = slot
    call.dispatchedAt = now
    slot.calls.set(call.id, call)
    if (slot.outbox.size > 1 || slot.postedThisTurn) return false
    // The first call of a turn for a worker goes at once, so a call made alone waits for
    // nothing; the calls after it in the same turn wait for the turn's end and go together.
    slot.postedThisTurn = true
    if (this.#unsent.push(slot) === 1) atTurnEnd(this.#flushUnsent)
    flushOutbox(slot, this)
    return true
  }

  /** Posts every outbox filled this turn. */
  readonly #flushUnsent = (): void => {
    const unsent = this.#unsent
    let waiting = false
    for (const slot of unsent) {
      slot.postedThisTurn = false
      if (slot.outbox.size > 0) waiting = true
    }
    // Calls that went alone left nothing to post: no operation (and no `changed`) for them.
    if (!waiting) {
      unsent.length = 0
      return
    }
    const outer = this.#ops.open()
    try {
      // A call that could not be sent frees its place, and the pump may fill more outboxes:
      // they join this same loop.
      for (let i = 0; i < unsent.length; i++) {
        const slot = unsent[i]!
        // Again for the slots the loop itself added (a freed place taken by a call that went at
        // once): no other turn's end is coming for them.
        slot.postedThisTurn = false
        flushOutbox(slot, this)
      }
      this.#unsent = []
    } finally {
      if (outer) this.#ops.close()
    }
  }

  /** Posts `slot`'s outbox now: something else is about to be said to its worker. */
  flush(slot: WorkerSlot<Call>): void {
    const outer = this.#ops.open()
    try {
      flushOutbox(slot, this)
    } finally {
      if (outer) this.#ops.close()
    }
  }

  posted(slot: WorkerSlot<Call>, call: Call, transferred: boolean): void {
    if (transferred) call.transferred = true
    call.attempts++
    call.workerIndex = slot.index
    if (call.firstDispatchedAt === 0) call.firstDispatchedAt = call.dispatchedAt
    this.#totalDispatched++
    this.bus.emit('dispatched', this, call, slot)
  }

  unsendable(slot: WorkerSlot<Call>, call: Call, error: Error): void {
    slot.calls.delete(call.id)
    leaveSlot(call)
    this.#queue.release()
    if (!call.settled) this.#desk.settle(call, false, error, 'exception')
    this.#pump()
  }

  // ---- what the workers say ----------------------------------------------------------------

  onReady(slot: WorkerSlot<Call>, streaming: ReadonlySet<string>): void {
    const outer = this.#ops.open()
    try {
      this.#streaming ??= streaming
      this.bus.emit('ready', this, slot)
      this.#pool.resolveIfReady()
      this.#pump()
      this.#armIdleTimer()
    } finally {
      if (outer) this.#ops.close()
    }
  }

  onMessage(slot: WorkerSlot<Call>, message: HarnessMessage): void {
    const outer = this.#ops.open()
    try {
      switch (message[0]) {
        case 'atelier:result':
        case 'atelier:end':
        case 'atelier:error':
          this.#answer(slot, message, performance.now())
          return
        case 'atelier:answers': {
          const now = performance.now()
          for (const answer of message[1]) if (isAnswer(answer)) this.#answer(slot, answer, now)
          return
        }
        case 'atelier:chunks': {
          const call = slot.calls.get(message[1])
          if (call !== undefined && !call.settled) receiveChunks(call, message[2])
          return
        }
        case 'atelier:progress':
          deliverProgress(slot, slot.calls.get(message[1]), message[2])
          return
        case 'atelier:unreadable':
          askAbout(slot, message[1])
          return
        case 'atelier:answered':
          this.#lostAnswers(slot, message[1])
          return
      }
    } finally {
      // After the settlement: its listeners may have queued work that the freed place can take.
      this.#pump()
      this.#armIdleTimer()
      if (outer) this.#ops.close()
    }
  }

  #answer(
    slot: WorkerSlot<Call>,
    message: ResultMessage | ErrorMessage | EndMessage,
    now: number,
  ): void {
    const call = slot.calls.get(message[1])
    if (call === undefined) return
    this.#answered(slot, call)
    if (this.#pacer !== undefined) this.#pace(slot, call, now)
    if (call.settled) return
    // The freed place first, then the settling: the worker gets its next call before this one's
    // listeners run (spans, metrics, an OpenTelemetry exporter), which then overlap the worker's
    // work rather than delay it.
    this.#pump()
    // Nothing the pump runs settles another call's answer at once (listeners' commands wait for
    // the operation's end); checked all the same, since a call settles exactly once.
    if (call.settled) return
    // It ended when its answer arrived: the clock read for the message serves its span too.
    if (message[0] === 'atelier:result') this.#desk.settle(call, true, message[2], 'ok', now)
    else if (message[0] === 'atelier:end') this.#desk.settle(call, true, endOf(call), 'ok', now)
    else this.#desk.settle(call, false, deserializeError(message[2]), 'exception', now)
  }

  /** Tells the pacer what the call cost; a new depth changes how many calls may be in flight. */
  #pace(slot: WorkerSlot<Call>, call: Call, now: number): void {
    const pacer = this.#pacer!
    const before = pacer.depth
    const cost = now - Math.max(call.dispatchedAt, slot.lastAnswerAt)
    slot.lastAnswerAt = slot.progressAt = now
    const depth = call.streamed
      ? pacer.streams(call.method)
      : pacer.answered(call.method, cost, call.alone)
    if (depth !== before) this.#queue.setMaxInFlight(this.config.maxInFlight * depth)
  }

  /** Lets a streaming call's worker run `chunks` further ahead (its consumer took them). */
  grant(call: Call, chunks: number): void {
    grantCredit(call, chunks)
  }

  /** A call's worker answered it: it leaves the worker and frees its place. */
  #answered(slot: WorkerSlot<Call>, call: Call): void {
    slot.calls.delete(call.id)
    leaveSlot(call)
    // Any answer, even a handler's error, shows the worker is healthy.
    slot.crashStreak = 0
    this.#crashStreak = 0
    this.#queue.release()
  }

  onUnreadable(slot: WorkerSlot<Call>): void {
    queryAnswers(slot)
  }

  /**
   * The harness answered these calls, and every answer it sent before saying so has arrived:
   * those still waiting here were lost on the way back.
   */
  #lostAnswers(slot: WorkerSlot<Call>, ids: unknown[]): void {
    for (const id of ids) {
      const call = typeof id === 'number' ? slot.calls.get(id) : undefined
      if (call === undefined) continue
      this.#answered(slot, call)
      if (!call.settled) this.#desk.settle(call, false, lostAnswerError(call.method), 'exception')
    }
  }

  onCrash(slot: WorkerSlot<Call>, cause: Error, calls: Call[]): void {
    if (this.#disposed) return
    const outer = this.#ops.open()
    try {
      this.#crashStreak++
      slot.crashStreak++
      this.#lastCrash = { ts: Date.now(), error: cause, workerIndex: slot.index }
      this.bus.emit('crashed', this, slot, cause)
      const verdict = judgeCrash(this.config, this.#crashStreak, slot.crashStreak)
      if (verdict.kind === 'fail') {
        this.#failure = taskFailure(this.config.taskId, slot.index, cause, verdict.reason)
        this.#shutdown(this.#failure, 'crash', calls)
        this.#pool.rejectWaiters(this.#failure)
        return
      }
      // startWorkers() promised every worker ready; one failed on the way, so say which.
      this.#pool.rejectWaiters(startFailure(this.config.taskId, slot.index, cause))
      this.#recover(slot, cause, calls, verdict.delayMs)
    } finally {
      if (outer) this.#ops.close()
    }
  }

  /** A cancelled call ignored its signal for `cancelGraceMs`: replace its worker. */
  graceExpired(call: Call): void {
    this.#ops.run(() => {
      const slot = call.slot
      if (!slot || this.#disposed) return
      const cause = graceKill(call.id, call.method, this.config.cancelGraceMs)
      this.bus.emit('terminated', this, slot)
      // A deliberate kill, not a crash: no backoff, and it does not count toward failing the task.
      this.#recover(slot, cause, slot.terminate(), 0)
    })
  }

  /** Deals with the calls of a worker that died or was killed, then restarts it after `delayMs`. */
  #recover(slot: WorkerSlot<Call>, cause: Error, calls: Call[], delayMs: number): void {
    this.#desk.afterCrash(calls, new WorkerCrashedError(this.config.taskId, slot.index, { cause }))
    slot.backOff(delayMs, () => {
      this.#ops.run(() => {
        // Back at once, even for a lazy task: the next call should not pay for a cold start.
        if (!this.#paused && !this.#failure && !this.#disposed) this.#startSlot(slot)
        this.#pump()
      })
    })
    this.#pump()
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Resumes a stopped or failed task and resolves once every worker is ready. */
  startWorkers(): Promise<void> {
    if (this.#disposed) return Promise.reject(new TaskDisposedError(this.config.taskId))
    const ready = new Promise<void>((resolve, reject) => {
      this.#ops.run(() => {
        if (this.#disposed) {
          reject(new TaskDisposedError(this.config.taskId))
          return
        }
        this.#paused = false
        if (this.#failure) {
          this.#failure = undefined
          this.#crashStreak = 0
          for (const slot of this.#pool.slots) slot.crashStreak = 0
        }
        this.#pool.wait({ resolve, reject })
        this.#startAll()
        this.#pool.resolveIfReady()
        this.#pump()
      })
    })
    return ready
  }

  /**
   * Pauses the task: terminates the workers and puts their calls back at the head of the queue
   * (calls keep being accepted). `startWorkers()` resumes.
   */
  stopWorkers(): Promise<void> {
    return this.#ops.runThen(() => {
      if (this.#disposed) return
      this.#paused = true
      this.#idleTimer.clear()
      this.#desk.afterStop(this.#terminateAll())
      this.#pool.rejectWaiters(
        new AbortError('stopWorkers() was called before the workers were ready'),
      )
    })
  }

  /** Rejects everything queued or running with `TaskDisposedError` and terminates the workers. */
  dispose(): Promise<void> {
    return this.#ops.runThen(() => {
      if (this.#disposed) return
      this.#disposed = true
      const error = new TaskDisposedError(this.config.taskId)
      this.#shutdown(error, 'disposed', [])
      this.#pool.rejectWaiters(error)
      this.bus.emit('disposed', this)
    })
  }

  #startSlot(slot: WorkerSlot<Call>): void {
    slot.start()
    if (slot.isAlive) this.bus.emit('spawned', this, slot)
  }

  #startAll(): void {
    for (const slot of this.#pool.slots) {
      if (this.#failure || this.#disposed || this.#paused) return
      if (slot.state === 'idle') this.#startSlot(slot)
    }
  }

  /** Terminates every worker; returns the calls that were on them (their places still held). */
  #terminateAll(): Call[] {
    const calls = this.#pool.terminateAll((slot) => this.bus.emit('terminated', this, slot))
    for (const call of calls) leaveSlot(call)
    return calls
  }

  /** Ends every call with `error` and terminates the workers. `orphans` are calls off a dead worker. */
  #shutdown(error: Error, kind: CallOutcome, orphans: Call[]): void {
    this.#idleTimer.clear()
    this.#desk.failAll([...orphans, ...this.#terminateAll()], error, kind)
  }

  // ---- idle timeout ------------------------------------------------------------------------

  /** Stops the workers once nothing has been queued or running for `idleTimeoutMs`. */
  #armIdleTimer(): void {
    const ms = this.config.idleTimeoutMs
    if (ms === undefined || !this.#isIdle() || !this.#pool.anyAlive) return
    this.#idleTimer.arm(ms, () =>
      this.#ops.run(() => {
        if (this.#isIdle() && !this.#disposed) this.#terminateAll()
      }),
    )
  }

  #isIdle(): boolean {
    const queue = this.#queue
    return queue.inFlight === 0 && queue.pending.size === 0 && queue.waiting.size === 0
  }

  // ---- state -------------------------------------------------------------------------------

  getState(): TaskState {
    return describeState(this.config, this.#queue, this.#pool.counts(), {
      failed: this.#failure !== undefined,
      paused: this.#paused,
      idle: this.#isIdle(),
      lastCrash: this.#lastCrash,
      totalDispatched: this.#totalDispatched,
    })
  }
}
