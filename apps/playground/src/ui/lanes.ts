/**
 * The scheduling scenario's timelines: one row per worker, a bar per call, over a fixed range
 * that starts at the run's start. In the inspector's colours, so a bar reads the same in both.
 */

import type { SpanEvent } from 'atelier'

export type BarTone = 'ok' | 'error' | 'canceled' | 'alt'

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
  to: number
  bars: Iterable<LaneBar>
  /** `elapsed`: ticks count forward from `from`. `none`: no data yet, so no range to show. */
  axis: 'elapsed' | 'none'
}

const COLORS = {
  ok: '#4f46e5',
  error: '#dc2626',
  canceled: '#d97706',
  alt: '#0f766e',
  grid: '#e2e8f0',
  text: '#64748b',
  lane: '#f8fafc',
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

export function drawLanes(canvas: HTMLCanvasElement, chart: LaneChart): void {
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
    ctx.fillStyle = COLORS.lane
    ctx.fillRect(GUTTER, y(lane), plot, ROW)
    ctx.fillStyle = COLORS.text
    ctx.textAlign = 'left'
    ctx.fillText(`W${lane}`, 2, y(lane) + ROW / 2)
  }

  const lanesBottom = chart.lanes * (ROW + GAP)
  ctx.strokeStyle = COLORS.grid
  ctx.fillStyle = COLORS.text
  ctx.lineWidth = 1
  const ticks = chart.axis === 'none' ? [] : elapsedTicks(span)
  for (const { offset, label } of ticks) {
    const px = Math.round(x(chart.from + offset)) + 0.5
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
    ctx.fillStyle = COLORS[bar.tone]
    ctx.fillRect(left, y(bar.lane) + 1, Math.max(1.5, right - left - 0.5), ROW - 2)
  }
}

/**
 * The ticks of `span` ms from its start: a round step giving 4 to 10 ticks, never below 1 ms,
 * each label with just enough decimals to tell it from its neighbours.
 */
function elapsedTicks(span: number): Array<{ offset: number; label: string }> {
  const raw = Math.max(1, span / 6)
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude
  const ticks: Array<{ offset: number; label: string }> = []
  for (let i = 0; i <= Math.floor(span / step + 1e-9); i++) {
    ticks.push({ offset: i * step, label: duration(i * step, step) })
  }
  return ticks
}

/** `value` ms in ms or s, with the decimals a tick spacing of `step` ms needs. */
function duration(value: number, step: number): string {
  if (value >= 1000) {
    const decimals = Math.min(3, Math.max(0, Math.ceil(-Math.log10(step / 1000) - 1e-9)))
    return `${+(value / 1000).toFixed(decimals)} s`
  }
  return `${Math.round(value)} ms`
}
