/**
 * The same pipeline without workers: the stage functions the workers run, called on the main
 * thread, as an app without a task runtime would. Decode, resize and analyze run back to back
 * (one long task per image); only the WebP encoding is asynchronous. It exists to be compared.
 */

import { THUMB_WIDTH, type Thumbnail } from './pipeline'
import { analyzeImage, renderScene, resizeImage, type SceneSpec } from './pixels'

export function createMainThreadPipeline() {
  let totalBytes = 0
  /** Time spent in the stages, added up over every image, as the spans add it up for workers. */
  let stageMs = 0

  async function process(spec: SceneSpec, signal: AbortSignal): Promise<Thumbnail> {
    signal.throwIfAborted()
    const started = performance.now()
    const full = renderScene(spec)
    const small = resizeImage(full, THUMB_WIDTH)
    const analysis = analyzeImage(small)
    const encoding = performance.now()
    stageMs += encoding - started
    const canvas = new OffscreenCanvas(small.width, small.height)
    canvas.getContext('2d')!.putImageData(small, 0, 0)
    const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 })
    stageMs += performance.now() - encoding
    signal.throwIfAborted()
    totalBytes += blob.size
    return { id: spec.id, blob, analysis, totalBytes }
  }

  return {
    process,
    get stageMs() {
      return stageMs
    },
  }
}
