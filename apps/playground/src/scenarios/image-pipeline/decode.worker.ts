/** Stage 1, parallel: "decodes" a source, here by rendering its procedural scene to pixels. */

import { createTaskWorker, type StripTaskContext, type TaskContext } from 'atelier/worker'
import { expose } from 'comlink'
import { renderScene, type SceneSpec } from './pixels'

const handlers = {
  decode(spec: SceneSpec, ctx: TaskContext): ImageData {
    ctx.throwIfAborted()
    return renderScene(spec)
  },
}

export type DecodeAPI = StripTaskContext<typeof handlers>
expose(createTaskWorker(handlers))
