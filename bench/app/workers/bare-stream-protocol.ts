/**
 * The floor's streaming protocol, written by hand on raw `postMessage`: one message per chunk,
 * credit-based flow control.
 *
 * The consumer starts a stream with `start`, which gives the worker `window` credits. The worker
 * posts a chunk per message, spending one credit each, and stops while it has none; the consumer
 * grants credit back (`credit`) as it takes chunks. After the last chunk the worker posts `done`.
 * Buffers are transferred.
 */
import type { ChunkKind } from './stream-chunks'

export type BareStreamRequest =
  | { type: 'start'; id: number; kind: ChunkKind; count: number; size: number; window: number }
  | { type: 'credit'; id: number; chunks: number }

export type BareStreamReply = { id: number; chunk: unknown } | { id: number; done: true }
