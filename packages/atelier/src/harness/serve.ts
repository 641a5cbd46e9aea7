/**
 * The worker side. `serve(handlers)` answers the executor on the worker's own channel;
 * `createTaskWorker(handlers)` does the same and also returns the object older apps pass to
 * comlink's `expose` (comlink then carries exactly one message, the executor's connect call).
 * Calls travel as the plain branded messages of `protocol.ts`, so the hot path pays for no
 * proxies, and messages that are not ours (comlink's, the app's) are left alone.
 *
 * The harness announces itself (`atelier:ready`) as soon as it exists, and again when asked. A
 * worker that awaits its set-up (a WASM module, a model) before serving is therefore found ready
 * whenever it gets there: the executor posts no call before it hears that.
 */

import { hasMethod } from '../describe.js'
import { UnknownMethodError } from '../errors.js'
import { nodeParentPort } from '../host.js'
import type { CallMessage, ConnectMethod, ReadyMessage, SerializedError } from '../wire/protocol.js'
import { deserializeError } from '../wire/serialize-error.js'
import { CallContext } from './call-context.js'
import { handlerTable, invoke, isGenerator } from './invoke.js'
import { nextTurn } from './next-turn.js'
import { HarnessOutbox } from './outbox.js'
import { ProgressChannel } from './progress.js'
import { type HarnessEndpoint, thenOf } from './replies.js'
import { StreamRun } from './stream.js'

export type { HarnessEndpoint }

/** What `createTaskWorker` returns: pass it to comlink's `expose`. */
export type TaskWorker = { readonly [K in ConnectMethod]: () => void }

/**
 * Serves `handlers` to the task executor on the other side of `endpoint`: the worker side of a
 * task, with no comlink needed.
 * @example serve({ resize(image: ImageData, width: number, ctx: TaskContext) { … } })
 */
export function serve<H extends object>(handlers: H, endpoint?: HarnessEndpoint): void {
  if (endpoint !== undefined) createHarness('serve', handlers, endpoint, false)
  else createHarness('serve', handlers, hostEndpoint('serve'), true)
}

/**
 * The same harness as {@link serve}, returned as the object to pass to comlink's `expose`, for
 * workers written as `expose(createTaskWorker(handlers))`.
 */
export function createTaskWorker<H extends object>(handlers: H): TaskWorker {
  const connect = createHarness(
    'createTaskWorker',
    handlers,
    hostEndpoint('createTaskWorker'),
    true,
  )
  return { __atelierConnect: connect }
}

/**
 * The channel to the thread that started this worker: a web worker's global scope (browsers,
 * Deno, Bun), or Node's `parentPort`, which speaks the same `addEventListener`/`postMessage`.
 */
function hostEndpoint(caller: string): HarnessEndpoint {
  // Node's port first: Bun gives a worker_threads Worker a web global scope too, but its
  // parent listens on the port.
  const port = nodeParentPort()
  if (port) return port as HarnessEndpoint
  const scope = globalThis as Partial<HarnessEndpoint>
  if (typeof scope.postMessage === 'function' && typeof scope.addEventListener === 'function') {
    return scope as HarnessEndpoint
  }
  throw new TypeError(
    `${caller} found no parent thread to answer: call it in a worker (a Web Worker, or a Node worker_threads Worker), or pass the endpoint to serve(handlers, endpoint)`,
  )
}

/** `hosted`: `port` is this worker's own channel to its parent, not one the app handed us. */
function createHarness(
  caller: string,
  handlers: object,
  port: HarnessEndpoint,
  hosted: boolean,
): () => void {
  if (handlers === null || typeof handlers !== 'object') {
    throw new TypeError(
      `${caller} needs an object of handler functions, received ${handlers === null ? 'null' : typeof handlers}`,
    )
  }
  if (!hasMethod(port, 'postMessage') || !hasMethod(port, 'addEventListener')) {
    throw new TypeError(
      `${caller}: the endpoint needs postMessage and addEventListener (a MessagePort, a worker's scope)`,
    )
  }
  const entries = handlerTable(caller, handlers)
  const out = new HarnessOutbox(port)
  const methods = [...entries.keys()]
  const streaming = methods.filter((name) => entries.get(name)!.streams)

  // Contexts of the calls still running asynchronously, for cancel messages to find, and the
  // streams among them, for credit.
  const running = new Map<number, CallContext>()
  const streams = new Map<number, StreamRun>()
  // Finding the call behind an unreadable message (see `UnreadableMessage`): the last call read,
  // and while a question about an unreadable message is open, the calls read since.
  let lastId = -1
  let openQuestions = 0
  let readSince: Set<number> | undefined

  const unreadable = () => {
    openQuestions++
    readSince ??= new Set()
    out.say(['atelier:unreadable', lastId])
  }

  // Listening from here, before `expose` adds comlink's listener, lets our messages stop at us:
  // comlink would otherwise inspect every call message only to find it is not its own.
  port.addEventListener('message', (event: MessageEvent) => {
    out.newTurn()
    const message: unknown = event.data
    if (Array.isArray(message)) {
      const type: unknown = message[0]
      if (type === 'atelier:call') {
        event.stopImmediatePropagation()
        if (isCallMessage(message)) read(message)
      } else if (type === 'atelier:calls') {
        event.stopImmediatePropagation()
        if (Array.isArray(message[1])) readAll(message[1])
      } else if (type === 'atelier:cancel') {
        event.stopImmediatePropagation()
        const reason: unknown = message[2]
        if (typeof message[1] !== 'number' || typeof reason !== 'object' || reason === null) return
        running.get(message[1])?.abort(deserializeError(reason as SerializedError))
        streams.get(message[1])?.cancel()
      } else if (type === 'atelier:credit') {
        event.stopImmediatePropagation()
        const chunks: unknown = message[2]
        if (Number.isSafeInteger(chunks) && (chunks as number) > 0)
          streams.get(message[1])?.grant(chunks as number)
      } else if (type === 'atelier:ack') {
        event.stopImmediatePropagation()
        running.get(message[1])?.progressChannel?.acked()
      } else if (type === 'atelier:sync') {
        event.stopImmediatePropagation()
        answerSync(message[1])
      } else if (type === 'atelier:query') {
        event.stopImmediatePropagation()
        const ids: unknown = message[1]
        if (!Array.isArray(ids)) return
        // Read, and not running: answered already (calls reach a worker in increasing id order).
        const answered = ids.filter(
          (id): id is number => typeof id === 'number' && id <= lastId && !running.has(id),
        )
        out.say(['atelier:answered', answered])
      }
    } else if (message === null || message === undefined) {
      // What the browser delivers for a message it could not clone whole (an ImageData over a
      // detached buffer). It may be ours, or the app's own: ask.
      unreadable()
    }
  })
  port.addEventListener('messageerror' as 'message', unreadable)

  function answerSync(ids: unknown): void {
    if (openQuestions === 0) return
    if (Array.isArray(ids)) {
      for (const id of ids) {
        if (typeof id !== 'number' || readSince!.has(id)) continue
        const error = new TypeError(
          'The worker received this call empty: an argument could not be cloned whole (for example an ImageData over a detached buffer, inside an object that is not walked for transfer)',
        )
        out.error(id, error)
      }
    }
    if (--openQuestions === 0) readSince = undefined
  }

  function read(message: CallMessage): void {
    lastId = message[1]
    readSince?.add(lastId)
    run(message)
  }

  // Methods whose last call ran for a while (synchronously): the answers waiting go before the
  // next call of one starts, not held for the end of its batch, as it will likely take its time
  // too.
  const slow = new Set<string>()

  /** The batch being read, while its calls start: the async ones count in `open`. */
  let reading: Batch | undefined

  /**
   * The calls of one message, run as if each had come alone. Their answers go back together: held
   * until the last of those running asynchronously answers, or the next turn, if that is sooner.
   */
  function readAll(messages: unknown[]): void {
    const batch: Batch = { open: 0, released: false }
    out.hold()
    reading = batch
    try {
      readEach(messages)
    } finally {
      reading = undefined
      if (batch.open === 0) release(batch)
      else nextTurn(() => release(batch))
    }
  }

  function release(batch: Batch): void {
    if (batch.released) return
    batch.released = true
    out.release()
  }

  function readEach(messages: unknown[]): void {
    for (const message of messages) {
      if (!Array.isArray(message) || message[0] !== 'atelier:call' || !isCallMessage(message)) {
        continue
      }
      const method = message[2]
      if (out.size > 0 && slow.has(method)) out.flush()
      const start = performance.now()
      read(message)
      // Learnt from batches only: a call that comes alone is answered at once anyway.
      if (performance.now() - start >= SLOW_CALL_MS) {
        slow.add(method)
        out.flush()
      } else if (slow.size > 0) slow.delete(method)
    }
  }
  if (hosted) reportEnd(out)

  const ready: ReadyMessage = ['atelier:ready', methods, streaming]
  function connect(): void {
    out.say(ready)
  }

  // Indexing rather than destructuring: this runs once per call, and array destructuring goes
  // through the iterator protocol until the optimizing compiler gets to it.
  function run(message: CallMessage): void {
    const id = message[1]
    const method = message[2]
    const entry = entries.get(method)
    if (entry === undefined) {
      const error = new UnknownMethodError(method, methods)
      // The usual cause: serve(new SomeClass()), whose methods are on its prototype.
      if (methods.length === 0) error.message += NO_METHODS
      out.error(id, error)
      return
    }
    const progress = message[6] === true ? new ProgressChannel(out, id) : undefined
    const traceparent = message[8]
    const context =
      typeof traceparent === 'string'
        ? new CallContext(message[4], id, progress, traceparent, stringOr(message[9]))
        : new CallContext(message[4], id, progress)
    const transferResult = message[5] !== true
    let result: unknown
    let then: unknown
    try {
      result = invoke(handlers, entry, message[3], context)
      if (entry.streams) {
        stream(message, context, result as Iterator<unknown>, transferResult)
        return
      }
      if (typeof result === 'object' && result !== null && isGenerator(result)) {
        throw new TypeError(notAGeneratorFunction(method))
      }
      then = thenOf(result)
    } catch (error) {
      progress?.end()
      out.error(id, error)
      return
    }
    // A synchronous handler answers in this same task: no cancel can arrive meanwhile, so it
    // needs no registration and no trip through the microtask queue.
    if (then === undefined) {
      progress?.end()
      out.result(id, method, result, transferResult)
      return
    }
    running.set(id, context)
    const batch = reading
    if (batch !== undefined) batch.open++
    // Resolved through a promise: a thenable's own `then` may throw or call back twice.
    new Promise((resolve) => resolve(result)).then(
      (value) => {
        running.delete(id)
        progress?.end()
        out.result(id, method, value, transferResult)
        if (batch !== undefined && --batch.open === 0) release(batch)
      },
      (error: unknown) => {
        running.delete(id)
        progress?.end()
        out.error(id, error)
        if (batch !== undefined && --batch.open === 0) release(batch)
      },
    )
  }

  function stream(
    message: CallMessage,
    context: CallContext,
    generator: Iterator<unknown>,
    transferResult: boolean,
  ): void {
    const id = context.id
    const window = message[7]
    const credit =
      typeof window === 'number' && Number.isSafeInteger(window) && window > 0
        ? window
        : DEFAULT_WINDOW
    const run = new StreamRun(out, id, message[2], context, generator, credit, transferResult)
    running.set(id, context)
    streams.set(id, run)
    run.run().finally(() => {
      running.delete(id)
      streams.delete(id)
    })
  }

  port.start?.()
  connect()
  return connect
}

/**
 * The window a stream gets when its call names none: only a call that the main thread took for a
 * plain one sends none (its caller awaits every chunk), so any sensible value will do.
 */
const DEFAULT_WINDOW = 16

const NO_METHODS =
  ": serve() takes the object's own functions, and a class's methods are on its prototype (serve an object literal)"

/** A batch of calls (one `atelier:calls` message) whose answers are held together. */
interface Batch {
  /** Its calls still running asynchronously. */
  open: number
  released: boolean
}

/** A call of a batch that ran this long (synchronously) marks its method as slow. */
const SLOW_CALL_MS = 0.5

function notAGeneratorFunction(method: string): string {
  return `The handler "${method}" returned a generator, which cannot be sent back: declare it as a generator function (async *${method}() { … }) to stream what it yields`
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** A well-formed call: anything else that claims to be one is ignored, as it names no call. */
function isCallMessage(message: unknown[]): message is CallMessage {
  const id = message[1]
  const key = message[4]
  return (
    typeof id === 'number' &&
    Number.isSafeInteger(id) &&
    typeof message[2] === 'string' &&
    Array.isArray(message[3]) &&
    (key === undefined || typeof key === 'string')
  )
}

/**
 * A worker that ends itself raises no error in every runtime: `self.close()` in a web worker,
 * `process.exit()` or `Deno.exit()` in Deno's and Bun's web workers go unnoticed by the parent,
 * and the worker's calls would wait for ever. Each is wrapped to say so first; the executor
 * handles it like a crash. (Node's `worker_threads` report every end themselves, better: there
 * the parent ignores this notice, see `HostWorker.reportsEnd`.)
 */
function reportEnd(out: HarnessOutbox): void {
  // The answers waiting go first: they are done, and the caller should have them.
  const say = (how: string) => () => out.say(['atelier:closing', how])
  const scope = globalThis as {
    close?: () => void
    process?: { exit?: (code?: number) => never }
    Deno?: { exit?: (code?: number) => never }
  }
  wrap(scope, 'close', say('self.close()'))
  if (scope.process) wrap(scope.process, 'exit', say('process.exit()'))
  if (scope.Deno) wrap(scope.Deno, 'exit', say('Deno.exit()'))
}

function wrap<K extends string>(owner: { [P in K]?: unknown }, name: K, before: () => void): void {
  const original = owner[name]
  if (typeof original !== 'function') return
  try {
    owner[name] = function reportingEnd(this: unknown, ...args: unknown[]) {
      before()
      return original.apply(this, args)
    } as (typeof owner)[K]
  } catch {
    // A frozen namespace: that runtime's exit goes unreported, as before.
  }
}
