/**
 * Worker lanes on a canvas: one row per worker, the last seconds left to right, a bar per call.
 * Canvas rather than DOM because a busy pool produces hundreds of bars a second.
 */

import type { SpanEvent } from '../events.js'
import type { Palette } from './palette.js'

export type BarTone = 'ok' | 'running' | 'error' | 'canceled'

export interface LaneBar {
  lane: number
  /** When the worker got the call, on the `Date.now()` scale. */
  start: number
  end: number
  tone: BarTone
}

export interface LaneChart {
  lanes: number
  from: number
  /** The right edge: now. Ticks count back from it (−5 s … now). */
  to: number
  bars: Iterable<LaneBar>
  /** A lane's label when it is not just `W<lane>`. */
  labels?: ReadonlyArray<string | undefined>
}

const ROW = 14
const GAP = 4
const GUTTER = 38
const AXIS = 16

/** A settled call's bar: from its first dispatch to its settlement, on its latest worker. */
export function spanBar(span: SpanEvent): LaneBar | undefined {
  if (span.workerIndex === undefined) return undefined
  return {
    lane: span.workerIndex,
    start: span.ts + (span.queueWaitMs ?? 0),
    end: span.ts + span.durationMs,
    tone: span.status,
  }
}

export function drawLanes(canvas: HTMLCanvasElement, chart: LaneChart, palette: Palette): void {
  const dpr = window.devicePixelRatio || 1
  const cssWidth = canvas.clientWidth
  const cssHeight = Math.max(1, chart.lanes) * (ROW + GAP) + AXIS
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
  const clampX = (px: number) => Math.min(GUTTER + plot, Math.max(GUTTER, px))

  for (let lane = 0; lane < chart.lanes; lane++) {
    ctx.fillStyle = palette.lane
    ctx.fillRect(GUTTER, y(lane), plot, ROW)
    ctx.fillStyle = palette.text
    ctx.textAlign = 'left'
    ctx.fillText(chart.labels?.[lane] ?? `W${lane}`, 2, y(lane) + ROW / 2)
  }

  const lanesBottom = chart.lanes * (ROW + GAP)
  ctx.strokeStyle = palette.grid
  ctx.fillStyle = palette.text
  ctx.lineWidth = 1
  const ticks = agoTicks(chart.from, chart.to)
  for (const { t, label } of ticks) {
    const px = Math.round(x(t)) + 0.5
    ctx.beginPath()
    ctx.moveTo(px, 0)
    ctx.lineTo(px, lanesBottom)
    ctx.stroke()
    ctx.textAlign = px > cssWidth - 20 ? 'right' : px < GUTTER + 12 ? 'left' : 'center'
    ctx.fillText(label, px, lanesBottom + AXIS / 2)
  }
  // The labels a canvas hides from the DOM, for tests and curious readers of the markup.
  canvas.dataset.ticks = ticks.map((tick) => tick.label).join(' | ')

  for (const bar of chart.bars) {
    if (bar.end < chart.from || bar.start > chart.to || bar.lane >= chart.lanes) continue
    const left = clampX(x(bar.start))
    const right = clampX(x(bar.end))
    ctx.fillStyle = palette[bar.tone]
    ctx.fillRect(left, y(bar.lane) + 1, Math.max(1.5, right - left - 0.5), ROW - 2)
  }
}

/**
 * The ticks of a time axis ending now: a round step giving 4 to 10 ticks, counted back from the
 * right edge, each label with just enough decimals to tell it from its neighbours.
 */
export function agoTicks(from: number, to: number): Array<{ t: number; label: string }> {
  const span = Math.max(1, to - from)
  const step = tickStep(span)
  const count = Math.floor(span / step + 1e-9)
  const ticks: Array<{ t: number; label: string }> = []
  for (let i = count; i >= 0; i--) {
    ticks.push({ t: to - i * step, label: i === 0 ? 'now' : `−${duration(i * step, step)}` })
  }
  return ticks
}

function tickStep(span: number): number {
  const raw = Math.max(1, span / 6)
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude
  return 10 * magnitude
}

/** `value` ms in ms or s, with the decimals a tick spacing of `step` ms needs. */
function duration(value: number, step: number): string {
  if (value >= 1000) {
    const decimals = Math.min(3, Math.max(0, Math.ceil(-Math.log10(step / 1000) - 1e-9)))
    return `${+(value / 1000).toFixed(decimals)} s`
  }
  return `${Math.round(value)} ms`
}
