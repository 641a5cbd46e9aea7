/**
 * Atelier's streaming worker: generator handlers served with `serve`, as an app writes them.
 * `attached()` says how many buffers of the last buffer stream were not transferred (still
 * attached here), so the scenario can check that chunks moved rather than being copied.
 */
import {
  type StripTaskContext,
  serve,
  type TaskContext,
} from '../../../packages/atelier/src/worker'
import { bufferChunk } from './stream-chunks'

/** The buffers the current buffer stream yielded: empty once transferred. */
let yielded: ArrayBuffer[] = []

const handlers = {
  async *numbers(count: number, _ctx: TaskContext) {
    for (let i = 0; i < count; i++) yield i
  },
  async *buffers(count: number, size: number, _ctx: TaskContext) {
    yielded = []
    for (let i = 0; i < count; i++) {
      const buffer = bufferChunk(i, size)
      yielded.push(buffer)
      yield buffer
    }
  },
  attached(_ctx: TaskContext): number {
    return yielded.filter((buffer) => buffer.byteLength > 0).length
  },
}

export type StreamAPI = StripTaskContext<typeof handlers>
serve(handlers)
