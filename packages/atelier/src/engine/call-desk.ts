/**
 * The call side of a task: a call's admission through the dispatch queue, the watchers that can
 * cancel it (its signal, its key, its timeout), what becomes of it when its worker goes, and its
 * settlement, exactly once. It knows nothing of workers beyond telling the one running a call that
 * the call was cancelled; the executor decides when calls move to and from workers.
 */

import type { AbortTaskController } from '../abort-task-controller.js'
import { AbortError, QueueDropError, TaskDisposedError } from '../errors.js'
import type { ExecutorEvents, TaskFacts } from '../facts.js'
import type { ResolvedTaskConfig } from '../options.js'
import type { CallOutcome } from '../outcomes.js'
import { serializeError } from '../wire/serialize-error.js'
import { type Call, fireGrace, fireTimeout, isReplayable, leaveSlot } from './call.js'
import { keyFromKeyOf } from './call-key.js'
import { mayRequeue } from './crash-policy.js'
import type { DispatchQueue } from './dispatch-queue.js'
import type { EventBus } from './event-bus.js'
import { unwatchSignal, watchSignal } from './signal-watch.js'

const ignore = () => {}

export class CallDesk {
  /**
   * The last call settled, kept reachable on purpose. A call's fields are added one by one as
   * it is built, and V8 holds the resulting object layouts only weakly: when a full garbage
   * collection finds no call alive (between bursts), it drops them, and every function compiled
   * for calls is thrown away and compiled again (measured: hundreds of deoptimisations, a third
   * slower). One settled call, emptied of everything the caller gave it, costs a few hundred
   * bytes and keeps them.
   *
   * A field of the desk, written and never read, because minifiers may delete what looks dead:
   * in a module-level object nobody read, Vite 8's minifier (Oxc, `compress.unused`) removed the
   * write, and the bench's pipelined calls took twice as long in its production build
   * (`test/unit/minified-anchor.test.ts` checks each minifier keeps this one).
   */
  lastSettled: Call | undefined = undefined

  constructor(
    /** The task the facts are about (the executor). */
    readonly task: TaskFacts,
    readonly config: ResolvedTaskConfig,
    readonly bus: EventBus<ExecutorEvents>,
    readonly keys: AbortTaskController,
    readonly queue: DispatchQueue<Call>,
  ) {}

  /** Why a new call cannot be queued at all, if it cannot. Derives its key on the way. */
  refusal(
    call: Call,
    disposed: boolean,
    failure: Error | undefined,
  ): { reason: unknown; kind: CallOutcome } | undefined {
    if (disposed) return { reason: new TaskDisposedError(this.config.taskId), kind: 'disposed' }
    if (failure) return { reason: failure, kind: 'crash' }
    if (call.signal?.aborted) return { reason: call.signal.reason, kind: 'abort' }
    if (call.key === '') call.key = undefined
    else if (call.key === undefined) {
      const keyOf = this.config.keyOfMethod(call.method)
      try {
        if (keyOf !== undefined) call.key = keyFromKeyOf(keyOf, call.method, call.args!)
      } catch (error) {
        return { reason: error, kind: 'exception' }
      }
    }
    if (call.key !== undefined && this.keys.isAborted(call.key)) {
      return { reason: this.keys.reasonFor(call.key), kind: 'abort' }
    }
    return undefined
  }

  /** Offers a call to the queue; false if the queue policy refused it (it is settled then). */
  enqueue(call: Call): boolean {
    const { config } = this
    const admission = this.queue.offer(call)
    if (admission.outcome === 'refused') {
      const policy = config.queuePolicy as 'reject' | 'drop-latest'
      this.settle(call, false, new QueueDropError(policy, config.taskId), 'queue')
      return false
    }
    if (call.signal !== undefined) watchSignal(call.signal, call)
    if (call.key !== undefined) this.keys.watch(call.key, call)
    const { timeoutMs } = config
    if (timeoutMs !== undefined) call.timer = setTimeout(fireTimeout, timeoutMs, call, timeoutMs)
    if (admission.outcome === 'evicted') {
      const error = new QueueDropError('drop-oldest', config.taskId)
      this.settle(admission.evicted, false, error, 'queue')
    }
    this.bus.emit('queued', this.task, call)
    return true
  }

  /**
   * Cancels a call in any phase; the caller hears at once. True if it left the queue (its place
   * can go to another call); false if it was running, and its worker is told.
   */
  cancel(call: Call, reason: unknown, kind: CallOutcome): boolean {
    const slot = call.slot
    if (slot === undefined) {
      this.queue.remove(call)
      this.settle(call, false, reason, kind)
      return true
    }
    // The worker keeps the call (and its place in maxInFlight) until it answers: it is still
    // busy, and pretending otherwise would pile new work onto it.
    slot.tell(['atelier:cancel', call.id, serializeError(reason)])
    this.settle(call, false, reason, kind)
    const grace = this.config.cancelGraceMs
    if (grace !== undefined) call.timer = setTimeout(fireGrace, grace, call)
    return false
  }

  /** `at`: when it ended (`performance.now()`), if the caller read the clock already. */
  settle(call: Call, ok: boolean, value: unknown, kind: CallOutcome, at?: number): void {
    call.settled = true
    if (call.signal !== undefined) unwatchSignal(call.signal, call)
    if (call.key !== undefined) this.keys.unwatch(call.key, call)
    if (call.timer !== undefined) clearTimeout(call.timer)
    // Drop the arguments now: a cancelled call may sit on a busy worker for a while yet.
    call.args = undefined
    if (call.sink !== undefined) call.sink.finish(ok, value, kind)
    else if (ok) call.resolve(value)
    else call.reject(value)
    // One clock read for every listener (the span's end, the metrics' time), and none without.
    if (this.bus.has('settled')) call.settledAt = at ?? performance.now()
    this.bus.emit('settled', this.task, call, kind, ok ? undefined : value)
    // Nothing of the caller's stays reachable from the record once it is settled: not its promise
    // (and so its result), its transfer list, its listener, its signal (and the listeners the app
    // put on it). Streams are not kept at all (their record holds the stream, and the stream
    // what it collected). `test/unit/settled-retention.test.ts` checks each.
    call.resolve = call.reject = ignore
    call.transfer = undefined
    call.onProgress = undefined
    call.signal = undefined
    if (call.sink === undefined) this.lastSettled = call
  }

  /** The calls of a worker that died or was killed: run again where the rules allow, else fail. */
  afterCrash(calls: Call[], error: Error): void {
    for (const call of calls) {
      leaveSlot(call)
      if (call.settled) {
        this.queue.release()
      } else if (mayRequeue(this.config, call.attempts, !isReplayable(call))) {
        this.#requeue(call)
      } else {
        this.queue.release()
        this.settle(call, false, error, 'crash')
      }
    }
  }

  /** The calls of workers stopped on purpose: back at the head of the queue, in their order. */
  afterStop(calls: Call[]): void {
    // Newest first so that, unshifted one by one, they keep their original order.
    calls.sort((a, b) => b.id - a.id)
    for (const call of calls) {
      if (call.settled) {
        this.queue.release()
      } else if (!isReplayable(call)) {
        this.queue.release()
        const reason = new AbortError(
          `Task "${this.config.taskId}" was stopped while this call ran; ${call.transferred ? 'its transferred arguments went with the worker' : 'it had already streamed chunks'}, so it cannot be replayed`,
        )
        this.settle(call, false, reason, 'abort')
      } else {
        // A stop is not an attempt: it does not count toward crashMaxRetries.
        call.attempts--
        this.#requeue(call)
      }
    }
  }

  /** Ends every call with `error`: those off the workers (`running`), then all that wait. */
  failAll(running: Call[], error: Error, kind: CallOutcome): void {
    for (const call of running) {
      leaveSlot(call)
      this.queue.release()
      if (!call.settled) this.settle(call, false, error, kind)
    }
    for (const call of this.queue.drain()) this.settle(call, false, error, kind)
  }

  #requeue(call: Call): void {
    call.enqueuedAt = performance.now()
    this.queue.requeue(call)
    this.bus.emit('requeued', this.task, call)
  }
}
