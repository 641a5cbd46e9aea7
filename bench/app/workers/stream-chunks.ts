/**
 * The chunks both stream workers produce, shared so that only the messaging differs between
 * them. Each chunk carries its index, so the consumer can check that every chunk came, in order.
 */

/** What a stream is made of: small values, or fresh buffers of `size` bytes. */
export type ChunkKind = 'numbers' | 'buffers'

/**
 * Chunk `i` of a buffer stream: a fresh `size`-byte buffer whose first byte is `i`'s low byte.
 * Only that byte is written: filling the buffer would cost more than moving it, and what is
 * measured is the moving.
 */
export function bufferChunk(i: number, size: number): ArrayBuffer {
  const buffer = new ArrayBuffer(size)
  new Uint8Array(buffer)[0] = i & 255
  return buffer
}

/** Whether `chunk` is chunk `i` of a buffer stream of `size`-byte buffers. */
export function isBufferChunk(chunk: unknown, i: number, size: number): boolean {
  return (
    chunk instanceof ArrayBuffer &&
    chunk.byteLength === size &&
    new Uint8Array(chunk)[0] === (i & 255)
  )
}
