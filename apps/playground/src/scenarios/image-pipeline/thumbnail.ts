/** One finished image: the encoded thumbnail, its luminance histogram and its edge density. */

import { h } from '../../ui/dom'
import { bytes } from '../../ui/format'
import type { Thumbnail } from './pipeline'

export function thumbnailFigure(thumb: Thumbnail): { element: HTMLElement; release(): void } {
  const url = URL.createObjectURL(thumb.blob)
  const { histogram, edgeDensity, meanLuma } = thumb.analysis
  const element = h(
    'figure',
    { class: 'thumb', 'data-testid': 'thumb' },
    h('img', {
      src: url,
      width: 128,
      height: 96,
      alt: `Generated image ${thumb.id}, mean luminance ${Math.round(meanLuma)}`,
      decoding: 'async',
    }),
    h(
      'figcaption',
      null,
      histogramCanvas(histogram),
      h('span', null, `#${thumb.id}`),
      h(
        'span',
        { title: 'Share of pixels on an edge (Sobel)' },
        `edges ${(edgeDensity * 100).toFixed(0)}%`,
      ),
      h('span', null, bytes(thumb.blob.size)),
    ),
  )
  return { element, release: () => URL.revokeObjectURL(url) }
}

function histogramCanvas(bins: number[]): HTMLCanvasElement {
  const canvas = h('canvas', { width: 64, height: 20, class: 'histogram', 'aria-hidden': 'true' })
  const ctx = canvas.getContext('2d')
  if (!ctx) return canvas
  const peak = Math.max(...bins, 1e-9)
  ctx.fillStyle = '#6366f1'
  bins.forEach((share, i) => {
    const height = Math.max(1, (share / peak) * 20)
    ctx.fillRect(i * 2, 20 - height, 1.6, height)
  })
  return canvas
}
