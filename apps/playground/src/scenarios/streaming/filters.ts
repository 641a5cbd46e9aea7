/**
 * The filters a tile goes through, each a function of the whole source and one tile's rectangle:
 * filters that look at neighbours (blur, sketch, oil paint) read a margin around the tile, so
 * the tiles join without seams. Each returns a fresh buffer, which the stream then transfers.
 */

import type { Filter, Rect } from './tiling'

/** RGBA bytes over a plain (transferable) ArrayBuffer. */
type Pixels = Uint8ClampedArray<ArrayBuffer>

export function filterTile(filter: Filter, source: ImageData, rect: Rect): Pixels {
  switch (filter) {
    case 'sepia':
      return sepia(source, rect)
    case 'sketch':
      return sketch(source, rect)
    case 'blur':
      return blur(source, rect)
    case 'oil':
      return oilPaint(source, rect)
  }
}

/** The tile plus `margin` pixels around it (clamped to the image), as float channels. */
interface Region {
  width: number
  height: number
  /** Where the tile starts inside the region. */
  left: number
  top: number
  r: Float32Array
  g: Float32Array
  b: Float32Array
}

function region(source: ImageData, rect: Rect, margin: number): Region {
  const x0 = Math.max(0, rect.x - margin)
  const y0 = Math.max(0, rect.y - margin)
  const x1 = Math.min(source.width, rect.x + rect.width + margin)
  const y1 = Math.min(source.height, rect.y + rect.height + margin)
  const width = x1 - x0
  const height = y1 - y0
  const r = new Float32Array(width * height)
  const g = new Float32Array(width * height)
  const b = new Float32Array(width * height)
  const data = source.data
  for (let y = 0; y < height; y++) {
    let i = ((y0 + y) * source.width + x0) * 4
    for (let x = 0, p = y * width; x < width; x++, p++, i += 4) {
      r[p] = data[i]!
      g[p] = data[i + 1]!
      b[p] = data[i + 2]!
    }
  }
  return { width, height, left: rect.x - x0, top: rect.y - y0, r, g, b }
}

function luma(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function sepia(source: ImageData, rect: Rect): Pixels {
  const out = new Uint8ClampedArray(rect.width * rect.height * 4)
  const data = source.data
  for (let y = 0; y < rect.height; y++) {
    let i = ((rect.y + y) * source.width + rect.x) * 4
    let o = y * rect.width * 4
    for (let x = 0; x < rect.width; x++, i += 4, o += 4) {
      const r = data[i]!
      const g = data[i + 1]!
      const b = data[i + 2]!
      out[o] = 0.393 * r + 0.769 * g + 0.189 * b
      out[o + 1] = 0.349 * r + 0.686 * g + 0.168 * b
      out[o + 2] = 0.272 * r + 0.534 * g + 0.131 * b
      out[o + 3] = 255
    }
  }
  return out
}

/** Ink on paper: the Sobel gradient of the luminance, dark where it is strong. */
function sketch(source: ImageData, rect: Rect): Pixels {
  const reg = region(source, rect, 1)
  const { width, height } = reg
  const l = new Float32Array(width * height)
  for (let p = 0; p < l.length; p++) l[p] = luma(reg.r[p]!, reg.g[p]!, reg.b[p]!)
  const at = (x: number, y: number) =>
    l[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!
  const out = new Uint8ClampedArray(rect.width * rect.height * 4)
  for (let y = 0; y < rect.height; y++) {
    const ry = y + reg.top
    for (let x = 0; x < rect.width; x++) {
      const rx = x + reg.left
      const gx =
        at(rx + 1, ry - 1) +
        2 * at(rx + 1, ry) +
        at(rx + 1, ry + 1) -
        at(rx - 1, ry - 1) -
        2 * at(rx - 1, ry) -
        at(rx - 1, ry + 1)
      const gy =
        at(rx - 1, ry + 1) +
        2 * at(rx, ry + 1) +
        at(rx + 1, ry + 1) -
        at(rx - 1, ry - 1) -
        2 * at(rx, ry - 1) -
        at(rx + 1, ry - 1)
      const ink = Math.min(1, Math.sqrt(gx * gx + gy * gy) / 180)
      const o = (y * rect.width + x) * 4
      out[o] = 250 - 222 * ink
      out[o + 1] = 246 - 216 * ink
      out[o + 2] = 236 - 190 * ink
      out[o + 3] = 255
    }
  }
  return out
}

const BLUR_RADIUS = 9
const BLUR_PASSES = 3

/** Three box blurs in a row, close to a Gaussian (σ ≈ 9 px). */
function blur(source: ImageData, rect: Rect): Pixels {
  const reg = region(source, rect, BLUR_RADIUS * BLUR_PASSES)
  const scratch = new Float32Array(reg.width * reg.height)
  for (const channel of [reg.r, reg.g, reg.b]) {
    for (let pass = 0; pass < BLUR_PASSES; pass++) {
      boxBlur(channel, scratch, reg.width, reg.height, 1, reg.width)
      boxBlur(scratch, channel, reg.height, reg.width, reg.width, 1)
    }
  }
  return regionToTile(reg, rect)
}

/**
 * A running-sum box blur along one axis: `lines` lines of `length` samples, `step` apart within a
 * line and `stride` apart between lines. Samples past either end repeat the edge one.
 */
function boxBlur(
  from: Float32Array,
  to: Float32Array,
  length: number,
  lines: number,
  step: number,
  stride: number,
): void {
  const r = BLUR_RADIUS
  const scale = 1 / (2 * r + 1)
  const last = length - 1
  for (let line = 0; line < lines; line++) {
    const base = line * stride
    let sum = 0
    for (let k = -r; k <= r; k++) sum += from[base + Math.min(last, Math.max(0, k)) * step]!
    for (let i = 0; i < length; i++) {
      to[base + i * step] = sum * scale
      sum +=
        from[base + Math.min(last, i + r + 1) * step]! - from[base + Math.max(0, i - r) * step]!
    }
  }
}

const OIL_RADIUS = 4

/**
 * Oil paint (a Kuwahara filter): each pixel takes the mean colour of whichever of the four
 * squares it is a corner of is the most uniform. Flat areas stay flat and edges stay sharp, so
 * the picture looks brushed. The heaviest filter here, on purpose: it is the real work.
 */
function oilPaint(source: ImageData, rect: Rect): Pixels {
  const reg = region(source, rect, OIL_RADIUS)
  const { width, height, r, g, b } = reg
  const l = new Float32Array(width * height)
  for (let p = 0; p < l.length; p++) l[p] = luma(r[p]!, g[p]!, b[p]!)
  const out = new Uint8ClampedArray(rect.width * rect.height * 4)
  const q = OIL_RADIUS
  for (let y = 0; y < rect.height; y++) {
    const cy = y + reg.top
    for (let x = 0; x < rect.width; x++) {
      const cx = x + reg.left
      let best = Number.POSITIVE_INFINITY
      let br = 0
      let bg = 0
      let bb = 0
      for (let corner = 0; corner < 4; corner++) {
        const x0 = Math.max(0, corner & 1 ? cx : cx - q)
        const x1 = Math.min(width - 1, corner & 1 ? cx + q : cx)
        const y0 = Math.max(0, corner & 2 ? cy : cy - q)
        const y1 = Math.min(height - 1, corner & 2 ? cy + q : cy)
        let sr = 0
        let sg = 0
        let sb = 0
        let sl = 0
        let sll = 0
        for (let yy = y0; yy <= y1; yy++) {
          for (let p = yy * width + x0, end = yy * width + x1; p <= end; p++) {
            const lum = l[p]!
            sr += r[p]!
            sg += g[p]!
            sb += b[p]!
            sl += lum
            sll += lum * lum
          }
        }
        const n = (x1 - x0 + 1) * (y1 - y0 + 1)
        const variance = sll / n - (sl / n) ** 2
        if (variance < best) {
          best = variance
          br = sr / n
          bg = sg / n
          bb = sb / n
        }
      }
      const o = (y * rect.width + x) * 4
      out[o] = br
      out[o + 1] = bg
      out[o + 2] = bb
      out[o + 3] = 255
    }
  }
  return out
}

function regionToTile(reg: Region, rect: Rect): Pixels {
  const out = new Uint8ClampedArray(rect.width * rect.height * 4)
  for (let y = 0; y < rect.height; y++) {
    let p = (y + reg.top) * reg.width + reg.left
    let o = y * rect.width * 4
    for (let x = 0; x < rect.width; x++, p++, o += 4) {
      out[o] = reg.r[p]!
      out[o + 1] = reg.g[p]!
      out[o + 2] = reg.b[p]!
      out[o + 3] = 255
    }
  }
  return out
}
