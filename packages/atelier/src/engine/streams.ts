/**
 * What the executor does for calls that stream: the caller's side of a new call (a plain promise
 * or a stream), the chunks and the end its worker sends, and the credit it grants back.
 */

import { type Call, STREAM_END } from './call.js'
import { CallStream, type StreamOwner } from './call-stream.js'

/**
 * The caller's side of a new call: a plain promise when its method is known not to stream,
 * otherwise a stream, which also works as a promise. `streaming` is undefined until a worker
 * has said which of its methods stream.
 */
export function answerFor(
  owner: StreamOwner,
  call: Call,
  streaming: ReadonlySet<string> | undefined,
): Promise<unknown> {
  if (streaming !== undefined && !streaming.has(call.method)) {
    return new Promise<unknown>((resolve, reject) => {
      call.resolve = resolve
      call.reject = reject
    })
  }
  const stream = new CallStream(owner, call)
  call.sink = stream
  call.streamed = streaming !== undefined
  return stream
}

/** A streaming call's worker sent chunks: they go to its stream, or are collected. */
export function receiveChunks(call: Call, values: unknown[]): void {
  if (call.chunks === 0) call.firstChunkAt = performance.now()
  call.chunks += values.length
  call.streamed = true
  if (call.sink !== undefined) {
    call.sink.push(values)
    return
  }
  // Made as a plain call, yet its worker streams (the task's workers serve different handlers):
  // awaiting it gets every chunk, as awaiting a stream would.
  call.collected ??= []
  for (const value of values) call.collected.push(value)
  grantCredit(call, values.length)
}

/** What a streaming call settles with when its generator returned. */
export function endOf(call: Call): unknown {
  call.streamed = true
  return call.sink !== undefined ? STREAM_END : (call.collected ?? [])
}

/** Lets a streaming call's worker run `chunks` further ahead (its consumer took them). */
export function grantCredit(call: Call, chunks: number): void {
  const slot = call.slot
  if (slot === undefined || call.settled) return
  slot.tell(['atelier:credit', call.id, chunks])
}
