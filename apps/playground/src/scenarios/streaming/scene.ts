/**
 * The source picture, painted in the worker from a seed: a city at dusk over water. Sharp
 * building edges and hundreds of lit windows give every filter something to show; the same seed
 * paints the same picture in any worker, so each can paint its own copy instead of receiving one.
 */

import { mulberry32 } from '../image-pipeline/pixels'
import { IMAGE_HEIGHT, IMAGE_WIDTH } from './tiling'

export function paintScene(seed: number): ImageData {
  const width = IMAGE_WIDTH
  const height = IMAGE_HEIGHT
  const random = mulberry32(seed)
  const canvas = new OffscreenCanvas(width, height)
  const ctx = canvas.getContext('2d')!
  const horizon = Math.round(height * 0.7)
  const hue = 200 + Math.floor(random() * 60)

  const sky = ctx.createLinearGradient(0, 0, 0, horizon)
  sky.addColorStop(0, `hsl(${hue} 60% 12%)`)
  sky.addColorStop(0.55, `hsl(${(hue + 90) % 360} 45% 35%)`)
  sky.addColorStop(1, `hsl(${20 + random() * 20} 90% 62%)`)
  ctx.fillStyle = sky
  ctx.fillRect(0, 0, width, horizon)

  for (let i = 0; i < 260; i++) {
    ctx.fillStyle = `rgb(255 255 240 / ${0.3 + random() * 0.6})`
    const size = 1 + random() * 2.5
    ctx.fillRect(random() * width, random() * horizon * 0.45, size, size)
  }

  const sunX = width * (0.25 + random() * 0.5)
  const sunY = horizon - height * 0.08
  const glow = ctx.createRadialGradient(sunX, sunY, 0, sunX, sunY, height * 0.35)
  glow.addColorStop(0, 'hsl(40 100% 80% / 0.95)')
  glow.addColorStop(0.15, 'hsl(30 100% 65% / 0.6)')
  glow.addColorStop(1, 'transparent')
  ctx.fillStyle = glow
  ctx.fillRect(0, 0, width, horizon)

  // Far hills, then three rows of buildings, each nearer row darker and taller.
  ctx.fillStyle = `hsl(${hue + 30} 30% 22%)`
  ctx.beginPath()
  ctx.moveTo(0, horizon)
  for (let x = 0; x <= width; x += width / 24) {
    ctx.lineTo(x, horizon - height * (0.12 + random() * 0.08))
  }
  ctx.lineTo(width, horizon)
  ctx.fill()
  for (let row = 0; row < 3; row++) {
    paintSkyline(ctx, random, horizon, row, hue)
  }

  // The water mirrors the city, darker and rippled.
  ctx.save()
  ctx.globalAlpha = 0.55
  ctx.translate(0, horizon * 2)
  ctx.scale(1, -1)
  ctx.drawImage(
    canvas,
    0,
    horizon - (height - horizon),
    width,
    height - horizon,
    0,
    horizon - (height - horizon),
    width,
    height - horizon,
  )
  ctx.restore()
  ctx.fillStyle = `hsl(${hue} 55% 10% / 0.55)`
  ctx.fillRect(0, horizon, width, height - horizon)
  for (let i = 0; i < 420; i++) {
    const y = horizon + random() ** 1.6 * (height - horizon)
    ctx.fillStyle = `hsl(35 90% 75% / ${0.05 + random() * 0.2})`
    ctx.fillRect(random() * width, y, 20 + random() * 160, 2)
  }

  const image = ctx.getImageData(0, 0, width, height)
  const data = image.data
  for (let i = 0; i < data.length; i += 4) {
    const grain = (random() - 0.5) * 10
    data[i] = data[i]! + grain
    data[i + 1] = data[i + 1]! + grain
    data[i + 2] = data[i + 2]! + grain
  }
  return image
}

function paintSkyline(
  ctx: OffscreenCanvasRenderingContext2D,
  random: () => number,
  horizon: number,
  row: number,
  hue: number,
): void {
  const width = IMAGE_WIDTH
  const tallest = IMAGE_HEIGHT * (0.22 + row * 0.1)
  const window = 6 + row * 3
  let x = -random() * 80
  while (x < width) {
    const w = 60 + random() * (90 + row * 50)
    const h = tallest * (0.35 + random() * 0.65)
    const top = horizon - h
    ctx.fillStyle = `hsl(${hue + 10} ${20 + row * 5}% ${18 - row * 5}%)`
    ctx.fillRect(x, top, w, h)
    if (random() < 0.3) ctx.fillRect(x + w * 0.4, top - h * 0.12, w * 0.12, h * 0.12)
    const lit = 0.15 + random() * 0.4
    for (let wy = top + window; wy < horizon - window * 2; wy += window * 2.2) {
      for (let wx = x + window; wx < x + w - window * 1.5; wx += window * 1.8) {
        if (random() > lit) continue
        ctx.fillStyle = `hsl(${38 + random() * 20} 95% ${62 + random() * 25}%)`
        ctx.fillRect(wx, wy, window, window * 1.3)
      }
    }
    x += w + random() * 12
  }
}
