/**
 * The streaming scenario's worker, served with `serve(handlers)` (no comlink needed):
 * - `tiles` is an async generator, so it streams: one filtered tile per chunk, its pixels in a
 *   buffer of their own that Atelier transfers. It reports how many tiles it has made with
 *   `ctx.progress`, which the page sets against how many it has painted.
 * - `palette` is a plain handler that reports how far it is with `ctx.progress`.
 */

import { type StripTaskContext, serve, type TaskContext } from 'atelier/worker'
import { epochNow } from '../../ui/format'
import { yieldToEventLoop } from '../../workers/busy'
import { filterTile } from './filters'
import { extractPalette, type Swatch } from './palette'
import { paintScene } from './scene'
import { FINALLY_CHANNEL, type FinallyReport, type Tile, type TileJob, tileRects } from './tiling'

/** What `palette` reports as it goes. */
export interface PaletteProgress {
  /** 0..1 */
  done: number
  /** How many reports the worker has made so far, this one included. */
  reported: number
  swatches: readonly Swatch[]
}

const finallyChannel = new BroadcastChannel(FINALLY_CHANNEL)

/** The last scene painted: every tile of a run, and the palette, read the same one. */
let scene: { seed: number; image: ImageData } | undefined

function sceneOf(seed: number): ImageData {
  if (scene?.seed !== seed) scene = { seed, image: paintScene(seed) }
  return scene.image
}

const handlers = {
  async *tiles(job: TileJob, ctx: TaskContext): AsyncGenerator<Tile> {
    let produced = 0
    try {
      const source = sceneOf(job.seed)
      for (const [index, rect] of tileRects(job.tileSize).entries()) {
        const pixels = filterTile(job.filter, source, rect)
        produced++
        ctx.progress(produced)
        // The filters never await; Atelier lets messages in (a cancel, credit) after each tile
        // that takes its time, so the generator stops between tiles without a pause of its own.
        yield { index, ...rect, pixels: pixels.buffer }
      }
    } finally {
      // Runs however the stream ends: finished, or cancelled (the consumer left its loop, or its
      // signal aborted), when Atelier stops pulling and returns the generator.
      const reason = ctx.signal.reason as { name?: string } | undefined
      const report: FinallyReport = {
        run: job.run,
        produced,
        aborted: ctx.signal.aborted,
        reason: reason?.name,
        at: epochNow(),
      }
      finallyChannel.postMessage(report)
    }
  },

  async palette(seed: number, ctx: TaskContext): Promise<Swatch[]> {
    const image = sceneOf(seed)
    let reported = 0
    return extractPalette(image, async (done, swatches) => {
      reported++
      const progress: PaletteProgress = { done, reported, swatches }
      ctx.progress(progress)
      // Lets the caller's acknowledgement in, so the next report can go; and a cancel.
      await yieldToEventLoop()
      ctx.throwIfAborted()
    })
  },
}

export type TilesAPI = StripTaskContext<typeof handlers>
serve(handlers)
