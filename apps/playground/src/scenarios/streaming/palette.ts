/**
 * A picture's palette by k-means: the colours that best stand for every pixel, with the share
 * of pixels each stands for. Each iteration is a pass over all 3 million pixels, in bands of
 * rows; `onBand` hears after each band, so the caller can report progress.
 */

export type RGB = [number, number, number]

export interface Swatch {
  rgb: RGB
  /** Share of pixels nearest this colour, 0..1. */
  share: number
}

export const PALETTE_SIZE = 8
export const PALETTE_ITERATIONS = 8
export const BAND_ROWS = 48

export function bandsPerIteration(height: number): number {
  return Math.ceil(height / BAND_ROWS)
}

export async function extractPalette(
  image: ImageData,
  onBand: (done: number, palette: readonly Swatch[]) => void | Promise<void>,
): Promise<Swatch[]> {
  const { width, height, data } = image
  let centres = initialCentres(image)
  let counts = new Float64Array(PALETTE_SIZE)
  const bands = bandsPerIteration(height)
  for (let iteration = 0; iteration < PALETTE_ITERATIONS; iteration++) {
    const sums = new Float64Array(PALETTE_SIZE * 3)
    counts = new Float64Array(PALETTE_SIZE)
    for (let band = 0; band < bands; band++) {
      const rows = Math.min(height, (band + 1) * BAND_ROWS)
      const end = rows * width * 4
      for (let i = band * BAND_ROWS * width * 4; i < end; i += 4) {
        const r = data[i]!
        const g = data[i + 1]!
        const b = data[i + 2]!
        let nearest = 0
        let nearestDistance = Number.POSITIVE_INFINITY
        for (let k = 0; k < PALETTE_SIZE; k++) {
          const c = centres[k]!
          const dr = r - c[0]
          const dg = g - c[1]
          const db = b - c[2]
          const distance = dr * dr + dg * dg + db * db
          if (distance < nearestDistance) {
            nearestDistance = distance
            nearest = k
          }
        }
        const s = nearest * 3
        sums[s] = sums[s]! + r
        sums[s + 1] = sums[s + 1]! + g
        sums[s + 2] = sums[s + 2]! + b
        counts[nearest] = counts[nearest]! + 1
      }
      const done = (iteration * bands + band + 1) / (PALETTE_ITERATIONS * bands)
      await onBand(done, swatches(centres, counts, rows * width))
    }
    // A centre nobody chose keeps its place; the others move to the mean of their pixels.
    centres = centres.map((c, k) => {
      const n = counts[k]!
      return n === 0 ? c : ([sums[k * 3]! / n, sums[k * 3 + 1]! / n, sums[k * 3 + 2]! / n] as RGB)
    })
  }
  return swatches(centres, counts, width * height).sort((a, b) => b.share - a.share)
}

/** Starting colours spread over the picture's range of brightness, from an even sample. */
function initialCentres(image: ImageData): RGB[] {
  const { data } = image
  const sample: RGB[] = []
  const stride = Math.max(1, Math.floor(data.length / 4 / 4096)) * 4
  for (let i = 0; i < data.length; i += stride) sample.push([data[i]!, data[i + 1]!, data[i + 2]!])
  const brightness = (c: RGB) => c[0] * 0.2126 + c[1] * 0.7152 + c[2] * 0.0722
  sample.sort((a, b) => brightness(a) - brightness(b))
  return Array.from(
    { length: PALETTE_SIZE },
    (_, k) => sample[Math.floor(((k + 0.5) * sample.length) / PALETTE_SIZE)]!,
  )
}

function swatches(centres: readonly RGB[], counts: Float64Array, pixels: number): Swatch[] {
  return centres.map((c, k) => ({
    rgb: c.map(Math.round) as RGB,
    share: Math.min(1, counts[k]! / Math.max(1, pixels)),
  }))
}
