/**
 * Scenario 5: the same uneven workload under both balancers. least-busy sends each call to the
 * worker with the fewest calls; round-robin takes turns regardless, so a worker stuck on a long
 * call still gets its share and the others sit idle. The timelines show where the time went.
 */

import { type BalancerName, createTaskRuntime } from 'atelier'
import { mountInspector } from 'atelier/inspector'
import { button, numberField } from '../../ui/controls'
import { h, setText } from '../../ui/dom'
import { ms } from '../../ui/format'
import { drawLanes, type LaneBar, spanBar } from '../../ui/lanes'
import { type Scenario, scenarioLayout, section } from '../scenario'
import { measure, type RunResult, type Workload } from './run'

export const scheduling: Scenario = { id: 'scheduling', label: 'Scheduling', mount }

const BALANCERS: readonly BalancerName[] = ['least-busy', 'round-robin']

function mount(panel: HTMLElement): undefined {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const layout = scenarioLayout(panel, {
    title: 'Scheduling',
    lede: 'The same calls, mostly short with a long one every few, run once with balancer: "least-busy" and once with "round-robin". Each lane below is a worker; each bar is a call, from the moment its worker got it to its answer (teal: the long ones).',
  })
  // First, so it sees every event: metrics are only built while someone listens.
  mountInspector(runtime, { container: layout.live, title: 'Live view', windowMs: 5000 })
  const workload: Workload = { poolSize: 4, calls: 48, longEvery: 4, longMs: 60, shortMs: 8 }
  let previous: RunResult[] = []

  const fields = (
    [
      ['poolSize', 'Workers', 'sc-pool', 2, 8],
      ['calls', 'Calls', 'sc-calls', 8, 200],
      ['longEvery', 'Long call every', 'sc-every', 2, 10],
      ['longMs', 'Long call (ms)', 'sc-long', 10, 500],
      ['shortMs', 'Short call (ms)', 'sc-short', 1, 100],
    ] as const
  ).map(([key, label, testid, min, max]) =>
    numberField({
      label,
      testid,
      min,
      max,
      value: workload[key],
      onChange: (value) => {
        workload[key] = value
      },
    }),
  )
  layout.controls.append(...fields.map((f) => f.element))

  const start = button('Run both', 'sc-run', () => void runBoth(), 'primary')
  const status = h('p', { class: 'status', role: 'status', 'data-testid': 'sc-status' }, 'Ready.')
  layout.actions.append(start, status)

  const charts = new Map(
    BALANCERS.map((balancer) => {
      const makespan = h(
        'span',
        { class: 'stat-value', 'data-testid': `makespan-${balancer}` },
        '–',
      )
      const wait = h('span', { class: 'muted' })
      const canvas = h('canvas', {
        class: 'gantt',
        role: 'img',
        'aria-label': `Timeline of the ${balancer} run: one lane per worker`,
        'data-testid': `gantt-${balancer}`,
      })
      const element = h(
        'div',
        { class: 'run' },
        h(
          'div',
          { class: 'run-head' },
          h('h4', null, h('code', null, balancer)),
          h('span', { class: 'run-makespan' }, 'makespan ', makespan),
          wait,
        ),
        canvas,
      )
      return [balancer, { element, makespan, wait, canvas }] as const
    }),
  )
  const verdict = h('p', { class: 'verdict', 'data-testid': 'sc-verdict' })
  const timelines = section(
    'Timelines, same time scale',
    ...Array.from(charts.values(), (c) => c.element),
    verdict,
  )
  layout.main.append(timelines)

  let results: RunResult[] = []
  new ResizeObserver(() => draw()).observe(timelines)

  async function runBoth(): Promise<void> {
    start.disabled = true
    for (const field of fields) field.input.disabled = true
    // The last run's tasks stayed up so the live view could show them; now they go.
    await Promise.all(previous.map((r) => r.task.dispose()))
    results = []
    draw()
    try {
      for (const balancer of BALANCERS) {
        status.textContent = `Running ${workload.calls} calls with ${balancer}…`
        // One run at a time: concurrent runs would compete for the same cores.
        results.push(await measure(runtime, balancer, workload))
        draw()
      }
      const [a, b] = results as [RunResult, RunResult]
      const ratio = b.makespanMs / a.makespanMs
      setText(
        verdict,
        ratio >= 1
          ? `least-busy finished ${ratio.toFixed(2)}× sooner than round-robin.`
          : `round-robin finished ${(1 / ratio).toFixed(2)}× sooner than least-busy this time.`,
      )
      status.textContent = 'Done. Change the workload and run again.'
    } finally {
      previous = results
      start.disabled = false
      for (const field of fields) field.input.disabled = false
    }
  }

  function draw(): void {
    const scale = Math.max(1, ...results.map((r) => r.makespanMs))
    for (const balancer of BALANCERS) {
      const chart = charts.get(balancer)!
      const result = results.find((r) => r.balancer === balancer)
      if (!result) {
        setText(chart.makespan, '–')
        setText(chart.wait, '')
        chart.canvas.dataset.bars = '0'
        // No run yet, no time scale: an axis over a made-up range would only mislead.
        drawLanes(chart.canvas, {
          lanes: workload.poolSize,
          from: 0,
          to: scale,
          bars: [],
          axis: results.length > 0 ? 'elapsed' : 'none',
        })
        continue
      }
      const bars: LaneBar[] = []
      for (const span of result.spans) {
        const bar = spanBar(span)
        if (!bar) continue
        // Long calls in their own colour: where they land is the whole story.
        if (span.method === 'long') bar.tone = 'alt'
        bars.push(bar)
      }
      setText(chart.makespan, ms(result.makespanMs))
      setText(chart.wait, `mean queue wait ${ms(result.meanWaitMs)}`)
      chart.canvas.dataset.bars = String(bars.length)
      chart.canvas.dataset.lanes = String(new Set(bars.map((b) => b.lane)).size)
      drawLanes(chart.canvas, {
        lanes: result.poolSize,
        from: result.startedAt,
        to: result.startedAt + scale,
        bars,
        axis: 'elapsed',
      })
    }
  }
}
