/**
 * The floor's streaming consumer, on the main thread: the hand-written side of
 * `workers/bare-stream-protocol.ts`. Chunks are handed to a callback in the worker's message
 * listener, one message each, and credit goes back in halves of the window: after every
 * `window / 2` chunks taken, one message grants them back. No queue, no promise per chunk: the
 * cheapest a stream consumer can be written by hand.
 */
import type { BareStreamReply, BareStreamRequest } from './workers/bare-stream-protocol'
import type { ChunkKind } from './workers/stream-chunks'

export interface BareStream {
  /** Streams `count` chunks to `onChunk`, in order; resolves after the last one. */
  consume(
    kind: ChunkKind,
    count: number,
    size: number,
    onChunk: (chunk: unknown, index: number) => void,
  ): Promise<void>
  /** The worker loaded and streaming. */
  start(): Promise<void>
  dispose(): void
}

export function createBareStream(window: number): BareStream {
  const worker = new Worker(new URL('./workers/bare-stream.worker.ts', import.meta.url), {
    type: 'module',
  })
  const post = (request: BareStreamRequest) => worker.postMessage(request)
  // Credit goes back in halves of the window: the worker rarely runs dry while the consumer
  // works through what it has, and credit costs one message per half window, not per chunk.
  const grantAt = Math.max(1, window >> 1)
  let nextId = 0

  function consume(
    kind: ChunkKind,
    count: number,
    size: number,
    onChunk: (chunk: unknown, index: number) => void,
  ): Promise<void> {
    const id = nextId++
    let index = 0
    let ungranted = 0
    return new Promise((resolve, reject) => {
      worker.onerror = (event) => reject(new Error(`bare stream worker: ${event.message}`))
      worker.onmessage = (event: MessageEvent<BareStreamReply>) => {
        const reply = event.data
        if (reply.id !== id) return
        if ('done' in reply) {
          resolve()
          return
        }
        try {
          onChunk(reply.chunk, index++)
        } catch (error) {
          reject(error)
          return
        }
        if (++ungranted === grantAt) {
          post({ type: 'credit', id, chunks: ungranted })
          ungranted = 0
        }
      }
      post({ type: 'start', id, kind, count, size, window })
    })
  }

  return {
    consume,
    start: () => consume('numbers', 1, 0, () => {}),
    dispose: () => worker.terminate(),
  }
}
