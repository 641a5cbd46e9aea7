/**
 * The wire protocol between a task's executor (main thread) and the worker harness.
 * Types only: everything that crosses `postMessage` is declared here and nowhere else.
 *
 * Connection. The harness is exposed with comlink's `expose`, so the executor opens the
 * conversation with one comlink `APPLY` message for the harness's connect method. From then on
 * both sides speak the plain messages below on the worker's own channel: no comlink proxies on
 * the hot path. A dedicated `MessageChannel` would isolate us further, but measured in Chromium
 * a port costs 5–15% per sequential round trip and 25% pipelined over the worker's own channel,
 * so every message is branded instead (its first element is an `atelier:` tag) and each side
 * ignores anything else: comlink's own traffic and whatever the app posts.
 *
 * Messages are tuples, not objects: structured cloning pays per property key, and in Chromium a
 * four-element array clones about 0.5 µs faster than the same four fields as an object, which on
 * a 20 µs round trip is the difference between near the floor and not. Trailing optional
 * elements are left off when they hold their default.
 */

/** The harness method the executor applies, through comlink's wire format. */
export type ConnectMethod = '__atelierConnect'

/** comlink 4.x `APPLY` request, the only comlink message the executor ever sends. */
export interface ComlinkApplyMessage {
  id: string
  type: 'APPLY'
  path: [ConnectMethod]
  argumentList: []
}

// ---- executor → harness -------------------------------------------------------------------

/**
 * Run `method` with `args`; `id` is unique per executor. `key` is the call's cancellation key
 * (the handler's `ctx.key`); `keepResult` asks the harness to copy, not transfer, the buffers in
 * the result or the chunks (`transferResult: false`); `progress` says the caller listens to
 * `ctx.progress` (without it the harness posts no progress at all); `window` is the stream's
 * initial credit, sent with every call that may stream (see {@link CreditMessage});
 * `traceparent` and `tracestate` are the call's W3C trace context, sent only when it has one.
 */
export type CallMessage = [
  type: 'atelier:call',
  id: number,
  method: string,
  args: unknown[],
  key?: string | undefined,
  keepResult?: true | undefined,
  progress?: true | undefined,
  window?: number | undefined,
  traceparent?: string,
  tracestate?: string,
]

/**
 * Several calls in one message: the calls the executor dispatched to this worker within one turn
 * of its event loop, in increasing id order, with their transfer lists merged. Each is run as if
 * it had come alone. One message per call costs a structured clone and a task on each side; for
 * tiny calls that is most of the call.
 */
export type CallsMessage = [type: 'atelier:calls', calls: CallMessage[]]

/**
 * Abort the handler's `ctx.signal` for call `id`, with `reason` (as the caller sees it). The
 * harness still answers the call.
 */
export type CancelMessage = [type: 'atelier:cancel', id: number, reason: SerializedError]

/**
 * The answer to an {@link UnreadableMessage}: `ids` are the calls of the message the executor
 * posted first after the last call the harness read, the one the unreadable message may have
 * been (none: it was not ours). The harness fails those of them it never read.
 */
export type SyncMessage = [type: 'atelier:sync', ids: number[]]

/**
 * Sent when a message from the worker arrived empty (`null`, or `messageerror`): which of these
 * calls, still unanswered here, have you answered? Any it names was lost on the way back.
 */
export type QueryMessage = [type: 'atelier:query', ids: number[]]

/**
 * Flow control of a streaming call: the consumer took `chunks` more chunks, so the generator may
 * run that many further ahead. A stream starts with `window` credits (from its call message) and
 * spends one per chunk; at zero its generator is not resumed, so its next `yield` waits.
 */
export type CreditMessage = [type: 'atelier:credit', id: number, chunks: number]

/**
 * The caller has taken call `id`'s last progress value. Until this arrives the harness posts no
 * more progress for the call; it keeps only the latest value, so progress never builds a backlog.
 */
export type ProgressAckMessage = [type: 'atelier:ack', id: number]

export type ExecutorMessage =
  | CallMessage
  | CallsMessage
  | CancelMessage
  | SyncMessage
  | QueryMessage
  | CreditMessage
  | ProgressAckMessage

// ---- harness → executor -------------------------------------------------------------------

/**
 * The harness is listening. `methods` are the callable handler names; `streaming` those of them
 * that are generator functions, whose calls answer with chunks.
 */
export type ReadyMessage = [type: 'atelier:ready', methods: string[], streaming: string[]]

/** Call `id` returned `value`. */
export type ResultMessage = [type: 'atelier:result', id: number, value: unknown]

/** Call `id` threw, or could not be run or answered (unknown method, uncloneable result). */
export type ErrorMessage = [type: 'atelier:error', id: number, error: SerializedError]

/**
 * Streaming call `id` yielded `values`, in order: every chunk ready when the harness flushed,
 * never more than the credit it held. An error after chunks comes as an {@link ErrorMessage}.
 */
export type ChunksMessage = [type: 'atelier:chunks', id: number, values: unknown[]]

/** Streaming call `id`'s generator returned: every chunk has been sent. */
export type EndMessage = [type: 'atelier:end', id: number]

/**
 * Several answers in one message: results and errors that were ready within one turn of the
 * worker's event loop, in the order they were ready. Each is handled as if it had come alone.
 */
export type AnswersMessage = [type: 'atelier:answers', answers: Array<ResultMessage | ErrorMessage>]

/** Call `id` reported progress (`ctx.progress(value)`); see {@link ProgressAckMessage}. */
export type ProgressMessage = [type: 'atelier:progress', id: number, value: unknown]

/**
 * The harness received a message it could not read (the browser delivers `null` for a message
 * it could not clone whole, such as an `ImageData` over a detached buffer, or fires
 * `messageerror`). `afterId` is the last call it did read (`-1`: none). A worker receives its
 * calls in increasing id order, so if the message was ours, it was the executor's first message
 * of calls to this worker after `afterId`; the executor answers with a {@link SyncMessage} naming
 * its calls, and the harness fails those that do not turn up. No call waits for ever on a lost message, and a
 * `null` the app posts itself disturbs nothing.
 */
export type UnreadableMessage = [type: 'atelier:unreadable', afterId: number]

/**
 * The worker is ending itself (`self.close()`, `process.exit()`, `Deno.exit()`, named in `how`):
 * its calls will never be answered.
 */
export type ClosingMessage = [type: 'atelier:closing', how?: string]

/** The answer to a {@link QueryMessage}: those of its calls the harness has already answered. */
export type AnsweredMessage = [type: 'atelier:answered', ids: number[]]

export type HarnessMessage =
  | ReadyMessage
  | ResultMessage
  | ErrorMessage
  | AnswersMessage
  | ChunksMessage
  | EndMessage
  | ProgressMessage
  | UnreadableMessage
  | ClosingMessage
  | AnsweredMessage

// ---- errors -------------------------------------------------------------------------------

/**
 * An error flattened for structured cloning. Browsers clone `Error` objects but drop custom
 * fields, `cause` chains and `AggregateError.errors` unevenly, so we carry them explicitly.
 */
export interface SerializedError {
  name: string
  message: string
  stack: string | undefined
  cause?: SerializedValue
  /** `AggregateError.errors`. */
  errors?: SerializedValue[]
  /** Own enumerable fields other than the above (e.g. `code`), each made cloneable. */
  props?: Record<string, unknown>
}

/** A thrown value or error cause: an error, a cloneable value, or a description of one. */
export type SerializedValue =
  | { kind: 'error'; error: SerializedError }
  | { kind: 'value'; value: unknown }
  | { kind: 'uncloneable'; description: string }
