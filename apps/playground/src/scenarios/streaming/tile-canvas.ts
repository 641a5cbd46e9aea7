/**
 * The picture as the stream paints it: a full-size canvas that takes each tile's pixels as they
 * arrive, and a small overlay on top that marks the tiles the worker has made but the page has
 * not painted yet (the chunks in the window).
 */

import { h } from '../../ui/dom'
import { IMAGE_HEIGHT, IMAGE_WIDTH, type Rect, type Tile } from './tiling'

/** The overlay draws outlines only, so a quarter of the resolution is plenty. */
const OVERLAY_SCALE = 1 / 4

export function createTileCanvas() {
  const image = h('canvas', {
    class: 'tile-image',
    width: IMAGE_WIDTH,
    height: IMAGE_HEIGHT,
    'data-testid': 'st-canvas',
    role: 'img',
    'aria-label': `The ${IMAGE_WIDTH}×${IMAGE_HEIGHT} picture, painted tile by tile`,
  })
  const overlay = h('canvas', {
    class: 'tile-overlay',
    width: IMAGE_WIDTH * OVERLAY_SCALE,
    height: IMAGE_HEIGHT * OVERLAY_SCALE,
    'aria-hidden': 'true',
  })
  const element = h('div', { class: 'tile-stage' }, image, overlay)
  const ctx = image.getContext('2d')!
  const marks = overlay.getContext('2d')!
  const style = getComputedStyle(document.documentElement)
  const accent = style.getPropertyValue('--accent').trim() || '#4f46e5'

  /** An empty picture with its tile grid, before a run paints over it. */
  function reset(rects: readonly Rect[]): void {
    ctx.fillStyle = '#e2e8f0'
    ctx.fillRect(0, 0, IMAGE_WIDTH, IMAGE_HEIGHT)
    ctx.strokeStyle = '#f8fafc'
    ctx.lineWidth = 4
    for (const r of rects) ctx.strokeRect(r.x, r.y, r.width, r.height)
    marks.clearRect(0, 0, overlay.width, overlay.height)
  }

  function paint(tile: Tile): void {
    const pixels = new Uint8ClampedArray(tile.pixels)
    ctx.putImageData(new ImageData(pixels, tile.width, tile.height), tile.x, tile.y)
  }

  /** Marks `ahead`: the tiles the worker has made that the page has not painted yet. */
  function mark(ahead: readonly Rect[]): void {
    marks.clearRect(0, 0, overlay.width, overlay.height)
    marks.save()
    marks.scale(OVERLAY_SCALE, OVERLAY_SCALE)
    marks.fillStyle = accent
    marks.strokeStyle = accent
    marks.lineWidth = 2 / OVERLAY_SCALE
    for (const r of ahead) {
      marks.globalAlpha = 0.35
      marks.fillRect(r.x, r.y, r.width, r.height)
      marks.globalAlpha = 1
      marks.strokeRect(r.x + 4, r.y + 4, r.width - 8, r.height - 8)
    }
    marks.restore()
  }

  return { element, reset, paint, mark }
}
