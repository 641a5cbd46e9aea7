/**
 * The image pipeline's pixel work, as plain functions over ImageData so the workers stay thin:
 * a procedural "photo" (gradients, shapes, noise), an area-averaging resize, and an analysis
 * (luminance histogram, Sobel edge density).
 */

export interface SceneSpec {
  id: number
  seed: number
  width: number
  height: number
}

export interface Analysis {
  /** Share of pixels in each of 32 luminance bins, 0..1. */
  histogram: number[]
  /** Share of pixels on an edge (Sobel magnitude above a threshold), 0..1. */
  edgeDensity: number
  meanLuma: number
}

/** A small, fast, seeded PRNG: the same seed draws the same picture in any worker. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Paints a scene: a gradient sky, a sun, hills, a few shapes, then film grain. */
export function renderScene(spec: SceneSpec): ImageData {
  const { width, height } = spec
  const random = mulberry32(spec.seed)
  const canvas = new OffscreenCanvas(width, height)
  const ctx = canvas.getContext('2d')!
  const hue = Math.floor(random() * 360)

  const sky = ctx.createLinearGradient(0, 0, 0, height)
  sky.addColorStop(0, `hsl(${hue} 70% ${25 + random() * 20}%)`)
  sky.addColorStop(1, `hsl(${(hue + 40) % 360} 80% ${65 + random() * 20}%)`)
  ctx.fillStyle = sky
  ctx.fillRect(0, 0, width, height)

  const sunX = width * (0.2 + random() * 0.6)
  const sunY = height * (0.2 + random() * 0.3)
  const sun = ctx.createRadialGradient(sunX, sunY, 0, sunX, sunY, height * 0.3)
  sun.addColorStop(0, `hsl(${(hue + 180) % 360} 100% 85% / 0.95)`)
  sun.addColorStop(1, 'transparent')
  ctx.fillStyle = sun
  ctx.fillRect(0, 0, width, height)

  for (let layer = 0; layer < 3; layer++) {
    const base = height * (0.55 + layer * 0.12)
    ctx.fillStyle = `hsl(${(hue + 200 + layer * 15) % 360} 35% ${30 - layer * 8}%)`
    ctx.beginPath()
    ctx.moveTo(0, height)
    for (let x = 0; x <= width; x += width / 16) {
      ctx.lineTo(x, base - random() * height * 0.12)
    }
    ctx.lineTo(width, height)
    ctx.fill()
  }

  for (let i = 0; i < 10; i++) {
    ctx.fillStyle = `hsl(${Math.floor(random() * 360)} 80% 60% / ${0.25 + random() * 0.4})`
    const x = random() * width
    const y = random() * height
    const size = (0.03 + random() * 0.1) * width
    ctx.beginPath()
    if (i % 3 === 0) ctx.rect(x, y, size, size * 0.6)
    else if (i % 3 === 1) ctx.arc(x, y, size / 2, 0, Math.PI * 2)
    else {
      ctx.moveTo(x, y)
      ctx.lineTo(x + size, y + size * 0.3)
      ctx.lineTo(x + size * 0.3, y + size)
    }
    ctx.fill()
  }

  const image = ctx.getImageData(0, 0, width, height)
  const data = image.data
  for (let i = 0; i < data.length; i += 4) {
    const grain = (random() - 0.5) * 28
    data[i] = data[i]! + grain
    data[i + 1] = data[i + 1]! + grain
    data[i + 2] = data[i + 2]! + grain
  }
  return image
}

/** Downscales to `width` (keeping the aspect ratio) by averaging each source area. */
export function resizeImage(source: ImageData, width: number): ImageData {
  const height = Math.max(1, Math.round((source.height * width) / source.width))
  const out = new ImageData(width, height)
  const sx = source.width / width
  const sy = source.height / height
  const src = source.data
  const dst = out.data
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy)
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy))
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx)
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx))
      let r = 0
      let g = 0
      let b = 0
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * source.width + x0) * 4
        for (let xx = x0; xx < x1; xx++, i += 4) {
          r += src[i]!
          g += src[i + 1]!
          b += src[i + 2]!
        }
      }
      const n = (y1 - y0) * (x1 - x0)
      const o = (y * width + x) * 4
      dst[o] = r / n
      dst[o + 1] = g / n
      dst[o + 2] = b / n
      dst[o + 3] = 255
    }
  }
  return out
}

export function analyzeImage(image: ImageData): Analysis {
  const { width, height, data } = image
  const luma = new Float32Array(width * height)
  const bins = new Array<number>(32).fill(0)
  let sum = 0
  for (let p = 0, i = 0; p < luma.length; p++, i += 4) {
    const y = 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!
    luma[p] = y
    sum += y
    bins[Math.min(31, Math.floor(y / 8))]!++
  }
  let edges = 0
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const p = y * width + x
      const gx =
        luma[p - width + 1]! +
        2 * luma[p + 1]! +
        luma[p + width + 1]! -
        luma[p - width - 1]! -
        2 * luma[p - 1]! -
        luma[p + width - 1]!
      const gy =
        luma[p + width - 1]! +
        2 * luma[p + width]! +
        luma[p + width + 1]! -
        luma[p - width - 1]! -
        2 * luma[p - width]! -
        luma[p - width + 1]!
      if (gx * gx + gy * gy > 64 * 64) edges++
    }
  }
  const pixels = luma.length
  return {
    histogram: bins.map((count) => count / pixels),
    edgeDensity: edges / Math.max(1, (width - 2) * (height - 2)),
    meanLuma: sum / pixels,
  }
}
