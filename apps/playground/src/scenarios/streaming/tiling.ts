/**
 * What the page and the worker agree on: the image's size, how it is cut into tiles, what a
 * tile call asks for and what each chunk carries, and what the worker says when its generator's
 * `finally` runs.
 */

export const IMAGE_WIDTH = 2048
export const IMAGE_HEIGHT = 1536

export const FILTERS = [
  { value: 'blur', label: 'blur' },
  { value: 'sketch', label: 'sketch' },
  { value: 'oil', label: 'oil paint' },
  { value: 'sepia', label: 'sepia' },
] as const
export type Filter = (typeof FILTERS)[number]['value']

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export interface TileJob {
  /** Which run this is: the worker's `finally` report names it. */
  run: number
  /** The scene to paint; the worker keeps the last one it painted. */
  seed: number
  filter: Filter
  tileSize: number
}

/** One chunk of the stream: a filtered tile, its pixels in a buffer of their own (transferred). */
export interface Tile extends Rect {
  index: number
  pixels: ArrayBuffer
}

/** Said by the worker, on its own channel, when a run's generator reaches its `finally`. */
export interface FinallyReport {
  run: number
  produced: number
  aborted: boolean
  /** The abort reason's name (AbortError, TimeoutError…), if the signal was aborted. */
  reason: string | undefined
  /**
   * When the `finally` ran, on the `Date.now()` scale that every thread shares: the channel can
   * take a while under load, so the page times the worker by this, not by the message's arrival.
   */
  at: number
}

/**
 * The call is over for the caller once it cancels, so the worker's word about its own clean-up
 * travels out of band, on a BroadcastChannel.
 */
export const FINALLY_CHANNEL = 'atelier-playground-streaming'

/** The tiles in row-major order: the order the worker makes them and the page paints them. */
export function tileRects(tileSize: number): Rect[] {
  const rects: Rect[] = []
  for (let y = 0; y < IMAGE_HEIGHT; y += tileSize) {
    for (let x = 0; x < IMAGE_WIDTH; x += tileSize) {
      rects.push({
        x,
        y,
        width: Math.min(tileSize, IMAGE_WIDTH - x),
        height: Math.min(tileSize, IMAGE_HEIGHT - y),
      })
    }
  }
  return rects
}
