/** Stage 3, parallel: luminance histogram and Sobel edge density of the resized image. */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { analyzeImage } from './pixels'

const handlers = {
  analyze(image: ImageData, ctx: TaskContext) {
    ctx.throwIfAborted()
    return analyzeImage(image)
  },
}

export type AnalyzeAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
