/** Stage 2, parallel: area-averaging downscale. The source pixels arrive transferred, not copied. */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { resizeImage } from './pixels'

const handlers = {
  resize(image: ImageData, width: number, ctx: TaskContext): ImageData {
    ctx.throwIfAborted()
    return resizeImage(image, width)
  },
}

export type ResizeAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
