/**
 * How Atelier's own helpers read a call that may stream (`parallelLimit` flattens streams): its
 * chunks, or, for a call that turned out to be a plain one (made before any worker said which
 * methods stream), its value as the one chunk. A symbol, so it is no part of the public surface.
 */
export const chunksOf: unique symbol = Symbol('atelier.chunksOf')

export interface ChunkSource {
  [chunksOf](): AsyncIterator<unknown, undefined>
}

export function isChunkSource(value: unknown): value is ChunkSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ChunkSource>)[chunksOf] === 'function'
  )
}
