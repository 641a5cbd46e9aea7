/**
 * Stage 4, singleton: encodes thumbnails to WebP. One worker, because an encoder is typically
 * stateful (here it only keeps running totals, which a pool would split).
 */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'

let encoded = 0
let totalBytes = 0

const handlers = {
  async encode(image: ImageData, ctx: TaskContext) {
    ctx.throwIfAborted()
    const canvas = new OffscreenCanvas(image.width, image.height)
    canvas.getContext('2d')!.putImageData(image, 0, 0)
    const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 })
    encoded++
    totalBytes += blob.size
    return { blob, encoded, totalBytes }
  },
}

export type EncodeAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
