/**
 * Worker lanes on a canvas: one row per worker, time left to right, a bar per call. The live
 * view draws a scrolling window ending now; the scheduling scenario draws a fixed range. Canvas
 * rather than DOM because a busy pool produces hundreds of bars a second.
 */

import type { SpanEvent } from 'atelier'
import type { Palette } from './palette'

export type BarTone = 'ok' | 'running' | 'error' | 'canceled' | 'alt'

export interface LaneBar {
  lane: number
  /** When the worker got the call. Timestamps are on any one scale, e.g. `Date.now()`. */
  start: number
  end: number
  tone: BarTone
  /** When the call was made: a thin line from here to `start` shows its queue wait. */
  queuedAt?: number
}

export interface LaneChart {
  lanes: number
  from: number
  to: number
  bars: Iterable<LaneBar>
  /** `ago`: ticks count back from the right edge (−5 s … now). `elapsed`: forward from `from`. */
  axis: 'ago' | 'elapsed'
  showWaits?: boolean
}

const ROW = 14
const GAP = 4
const GUTTER = 30
const AXIS = 16

/** A settled call's bar: from its first dispatch to its settlement, on its latest worker. */
export function spanBar(span: SpanEvent): LaneBar | undefined {
  if (span.workerIndex === undefined) return undefined
  const tone: BarTone =
    span.status === 'ok' ? 'ok' : span.status === 'canceled' ? 'canceled' : 'error'
  return {
    lane: span.workerIndex,
    start: span.ts + (span.queueWaitMs ?? 0),
    end: span.ts + span.durationMs,
    tone,
    queuedAt: span.ts,
  }
}

export function lanesHeight(lanes: number): number {
  return Math.max(1, lanes) * (ROW + GAP) + AXIS
}

export function drawLanes(canvas: HTMLCanvasElement, chart: LaneChart, palette: Palette): void {
  const dpr = window.devicePixelRatio || 1
  const cssWidth = canvas.clientWidth
  const cssHeight = lanesHeight(chart.lanes)
  if (cssWidth === 0) return
  const width = Math.round(cssWidth * dpr)
  const height = Math.round(cssHeight * dpr)
  // Resizing a canvas clears and reallocates it: only when the size really changed.
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width
    canvas.height = height
    canvas.style.height = `${cssHeight}px`
  }
  const ctx = canvas.getContext('2d')
  if (!ctx) return
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.clearRect(0, 0, cssWidth, cssHeight)
  ctx.font = '10px system-ui, sans-serif'
  ctx.textBaseline = 'middle'

  const span = Math.max(1, chart.to - chart.from)
  const plot = cssWidth - GUTTER - 4
  const x = (t: number) => GUTTER + ((t - chart.from) / span) * plot
  const y = (lane: number) => lane * (ROW + GAP) + GAP / 2

  for (let lane = 0; lane < chart.lanes; lane++) {
    ctx.fillStyle = palette.lane
    ctx.fillRect(GUTTER, y(lane), plot, ROW)
    ctx.fillStyle = palette.text
    ctx.textAlign = 'left'
    ctx.fillText(`W${lane}`, 2, y(lane) + ROW / 2)
  }

  const lanesBottom = chart.lanes * (ROW + GAP)
  const step = tickStep(span)
  ctx.strokeStyle = palette.grid
  ctx.fillStyle = palette.text
  ctx.lineWidth = 1
  ctx.textAlign = 'center'
  const first = chart.axis === 'ago' ? chart.to - Math.floor(span / step) * step : chart.from
  for (let t = first; t <= chart.to + 0.5; t += step) {
    const px = Math.round(x(t)) + 0.5
    ctx.beginPath()
    ctx.moveTo(px, 0)
    ctx.lineTo(px, lanesBottom)
    ctx.stroke()
    const label = chart.axis === 'ago' ? agoLabel(chart.to - t) : elapsedLabel(t - chart.from)
    ctx.textAlign = px > cssWidth - 20 ? 'right' : px < GUTTER + 12 ? 'left' : 'center'
    ctx.fillText(label, px, lanesBottom + AXIS / 2)
  }

  const bars = Array.from(chart.bars)
  if (chart.showWaits) {
    ctx.strokeStyle = palette.wait
    for (const bar of bars) {
      if (bar.queuedAt === undefined || bar.start - bar.queuedAt < 1) continue
      const mid = Math.round(y(bar.lane) + ROW / 2) + 0.5
      ctx.beginPath()
      ctx.moveTo(clampX(x(bar.queuedAt)), mid)
      ctx.lineTo(clampX(x(bar.start)), mid)
      ctx.stroke()
    }
  }
  for (const bar of bars) {
    if (bar.end < chart.from || bar.start > chart.to || bar.lane >= chart.lanes) continue
    const left = clampX(x(bar.start))
    const right = clampX(x(bar.end))
    ctx.fillStyle = palette[bar.tone]
    ctx.fillRect(left, y(bar.lane) + 1, Math.max(1.5, right - left - 0.5), ROW - 2)
  }

  function clampX(px: number): number {
    return Math.min(GUTTER + plot, Math.max(GUTTER, px))
  }
}

/** A round tick spacing giving 4 to 10 ticks over `span` ms. */
function tickStep(span: number): number {
  const raw = span / 6
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude
  return 10 * magnitude
}

function agoLabel(ago: number): string {
  if (ago < 1) return 'now'
  return ago >= 1000 ? `−${+(ago / 1000).toFixed(1)} s` : `−${Math.round(ago)} ms`
}

function elapsedLabel(t: number): string {
  return t >= 1000 ? `${+(t / 1000).toFixed(2)} s` : `${Math.round(t)} ms`
}
