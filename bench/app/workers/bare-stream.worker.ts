/**
 * The floor's streaming worker (`bare-stream-protocol.ts`): a loop that posts chunks while it
 * has credit, resumed by the consumer's credit messages. One stream at a time.
 */
import type { BareStreamReply, BareStreamRequest } from './bare-stream-protocol'
import { bufferChunk, type ChunkKind } from './stream-chunks'

const scope = self as unknown as {
  postMessage(message: BareStreamReply, transfer?: Transferable[]): void
  onmessage: ((event: MessageEvent<BareStreamRequest>) => void) | null
}

interface Stream {
  id: number
  kind: ChunkKind
  count: number
  size: number
  next: number
  credit: number
}

let stream: Stream | undefined

scope.onmessage = (event) => {
  const request = event.data
  if (request.type === 'start') {
    const { id, kind, count, size, window } = request
    stream = { id, kind, count, size, next: 0, credit: window }
  } else if (request.id === stream?.id) {
    stream.credit += request.chunks
  } else {
    return
  }
  pump(stream)
}

/** Posts chunks while there is credit; ends the stream after its last chunk. */
function pump(s: Stream): void {
  const { id, kind, count, size } = s
  while (s.credit > 0 && s.next < count) {
    const i = s.next++
    s.credit--
    if (kind === 'numbers') {
      scope.postMessage({ id, chunk: i })
    } else {
      const buffer = bufferChunk(i, size)
      scope.postMessage({ id, chunk: buffer }, [buffer])
    }
  }
  if (s.next === count) {
    scope.postMessage({ id, done: true })
    stream = undefined
  }
}
