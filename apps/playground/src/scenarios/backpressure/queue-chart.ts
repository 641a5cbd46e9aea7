/**
 * Queue depth over time as stacked areas: in flight at the bottom, pending above it, waiting
 * on top, with the task's two limits as dashed lines. Fed one sample per snapshot, for one task
 * at a time (`reset` when the task changes).
 *
 * The vertical scale has two bands, each scaled to what it shows. The queue (in flight and
 * pending, bounded by the limits) always fills the lower band, so it never shrinks to a sliver.
 * Callers waiting to be admitted (`block`), unbounded, get the band above it, scaled to their
 * own peak in the window.
 */

import { h } from '../../ui/dom'

interface Sample {
  t: number
  inFlight: number
  pending: number
  waiting: number
}

const WINDOW_MS = 10_000
const HEIGHT = 120
/** The lower band's share of the plot while some caller waits; otherwise it has all of it. */
const QUEUE_SHARE = 0.6
const SERIES = [
  ['inFlight', '#4f46e5', 'in flight'],
  ['pending', '#a5b4fc', 'pending'],
  ['waiting', '#f59e0b', 'waiting'],
] as const

export function createQueueChart() {
  const canvas = h('canvas', {
    class: 'queue-chart',
    role: 'img',
    'aria-label': 'Queue depth over the last 10 seconds: in flight, pending and waiting, stacked',
  })
  const legend = h(
    'ul',
    { class: 'lv-legend' },
    ...SERIES.map(([, color, label]) =>
      h(
        'li',
        null,
        h('span', { class: 'lv-swatch', style: `background:${color}`, 'aria-hidden': 'true' }),
        label,
      ),
    ),
  )
  const element = h('div', { class: 'queue-chart-wrap' }, canvas, legend)
  const samples: Sample[] = []
  let limits = { maxInFlight: 1, maxQueueDepth: 0 }

  /** A new task: the old one's history is not this one's state. */
  function reset(): void {
    samples.length = 0
  }

  function push(sample: Sample, nextLimits: typeof limits): void {
    limits = nextLimits
    samples.push(sample)
    while (samples.length > 0 && samples[0]!.t < sample.t - WINDOW_MS) samples.shift()
    draw(sample.t)
  }

  function draw(now: number): void {
    const dpr = window.devicePixelRatio || 1
    const width = canvas.clientWidth
    if (width === 0) return
    if (canvas.width !== Math.round(width * dpr)) {
      canvas.width = Math.round(width * dpr)
      canvas.height = Math.round(HEIGHT * dpr)
    }
    const ctx = canvas.getContext('2d')!
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, width, HEIGHT)
    const capacity = Math.max(1, limits.maxInFlight + limits.maxQueueDepth)
    const waitingPeak = Math.max(0, ...samples.map((s) => s.waiting))
    const base = HEIGHT - 4
    const plot = HEIGHT - 16
    // With nobody waiting, the queue takes the whole height (less room for the top label).
    const queueBand = waitingPeak > 0 ? plot * QUEUE_SHARE : plot * 0.9
    const x = (t: number) => width - ((now - t) / WINDOW_MS) * width
    const y = (v: number) =>
      v <= capacity
        ? base - (v / capacity) * queueBand
        : base - queueBand - ((v - capacity) / waitingPeak) * (plot - queueBand)
    canvas.dataset.queueMax = String(capacity)
    canvas.dataset.waitingMax = String(waitingPeak)

    // Stacked from the top series down, each area covering the ones under it.
    for (let top = SERIES.length - 1; top >= 0; top--) {
      ctx.fillStyle = SERIES[top]![1]
      ctx.beginPath()
      ctx.moveTo(x(samples[0]?.t ?? now), y(0))
      for (const s of samples) {
        let level = 0
        for (let i = 0; i <= top; i++) level += s[SERIES[i]![0]]
        ctx.lineTo(x(s.t), y(level))
      }
      ctx.lineTo(x(samples.at(-1)?.t ?? now), y(0))
      ctx.fill()
    }

    ctx.setLineDash([4, 3])
    ctx.strokeStyle = '#334155'
    ctx.font = '10px system-ui, sans-serif'
    ctx.fillStyle = '#334155'
    // The two limits, labelled at opposite ends so they never overlap when close.
    for (const [level, label, align] of [
      [limits.maxInFlight, 'maxInFlight', 'left'],
      [capacity, 'maxInFlight + maxQueueDepth', 'right'],
    ] as const) {
      const py = Math.round(y(level)) + 0.5
      ctx.beginPath()
      ctx.moveTo(0, py)
      ctx.lineTo(width, py)
      ctx.stroke()
      ctx.textAlign = align
      ctx.fillText(label, align === 'left' ? 4 : width - 4, py - 3)
    }
    ctx.setLineDash([])
    if (waitingPeak > 0) {
      // The upper band has its own scale: say so, with its top value.
      ctx.textAlign = 'left'
      ctx.fillText(`waiting (own scale, up to ${waitingPeak})`, 4, 10)
    }
  }

  return { element, push, reset }
}
