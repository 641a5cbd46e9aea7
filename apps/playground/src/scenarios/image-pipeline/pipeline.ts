/**
 * The pipeline's tasks and one image's trip through them: decode → resize → analyze → encode.
 * Three parallel pools and a singleton encoder; each call's buffers are transferred, not copied,
 * except where a stage must keep its input.
 */

import type { TaskRuntime } from 'atelier'
import type { AnalyzeAPI } from './analyze.worker'
import type { DecodeAPI } from './decode.worker'
import type { EncodeAPI } from './encode.worker'
import type { Analysis, SceneSpec } from './pixels'
import type { ResizeAPI } from './resize.worker'

export const SOURCE_WIDTH = 1024
export const SOURCE_HEIGHT = 768
export const THUMB_WIDTH = 256

export interface Thumbnail {
  id: number
  blob: Blob
  analysis: Analysis
  /** The encoder's running total, to show the singleton keeps state. */
  totalBytes: number
}

export function definePipeline(runtime: TaskRuntime, poolSize: number) {
  const parallel = { type: 'parallel', poolSize, init: 'eager' } as const
  const decode = runtime.defineTask<DecodeAPI>({
    ...parallel,
    taskName: 'decode',
    worker: () =>
      new Worker(new URL('./decode.worker.ts', import.meta.url), {
        type: 'module',
        name: 'decode',
      }),
  })
  const resize = runtime.defineTask<ResizeAPI>({
    ...parallel,
    taskName: 'resize',
    worker: () =>
      new Worker(new URL('./resize.worker.ts', import.meta.url), {
        type: 'module',
        name: 'resize',
      }),
  })
  const analyze = runtime.defineTask<AnalyzeAPI>({
    ...parallel,
    taskName: 'analyze',
    worker: () =>
      new Worker(new URL('./analyze.worker.ts', import.meta.url), {
        type: 'module',
        name: 'analyze',
      }),
  })
  const encode = runtime.defineTask<EncodeAPI>({
    type: 'singleton',
    init: 'eager',
    taskName: 'encode',
    // Deep enough that every image in flight can wait for the one encoder without blocking.
    maxQueueDepth: 32,
    worker: () =>
      new Worker(new URL('./encode.worker.ts', import.meta.url), {
        type: 'module',
        name: 'encode',
      }),
  })

  async function process(spec: SceneSpec, signal: AbortSignal): Promise<Thumbnail> {
    const full = await decode.with({ signal }).decode(spec)
    const small = await resize.with({ signal }).resize(full, THUMB_WIDTH)
    // Copy, don't transfer: the encoder needs these pixels after the analysis.
    const analysis = await analyze.with({ signal, transfer: [] }).analyze(small)
    const { blob, totalBytes } = await encode.with({ signal }).encode(small)
    return { id: spec.id, blob, analysis, totalBytes }
  }

  const tasks = [decode, resize, analyze, encode]
  return {
    poolSize,
    process,
    /** Resolves once every worker is up, so a timed run does not include starting them. */
    ready: () => Promise.all(tasks.map((task) => task.startWorkers())).then(() => {}),
    dispose: () => Promise.all(tasks.map((task) => task.dispose())),
  }
}

export type Pipeline = ReturnType<typeof definePipeline>
