/**
 * One task in the inspector: its status, a queue gauge against its limits, its pending calls by
 * priority, its counters and its worker lanes. Built once per task and updated in place every
 * frame that changed something.
 */

import { METRICS } from '../metrics.js'
import type { CallOutcome } from '../outcomes.js'
import { PRIORITIES, type TaskPriority } from '../priority.js'
import { h, setText } from './dom.js'
import { ms } from './format.js'
import { drawLanes, type LaneBar, spanBar } from './lanes.js'
import type { TaskModel } from './model.js'
import { OUTCOME_ORDER, outcomeLabel } from './outcomes.js'
import type { Palette } from './palette.js'

/** Counters of calls from metrics; the outcomes that follow them come from spans. */
const CALL_COUNTERS = [
  [METRICS.dispatchTotal, 'dispatched', 'dispatched'],
  [METRICS.requeueTotal, 'requeued', 'requeued'],
] as const

/** Counters of workers, from metrics. The test ids keep worker crashes apart from crashed calls. */
const WORKER_COUNTERS = [
  [METRICS.workerSpawnTotal, 'spawned', 'spawned'],
  [METRICS.workerCrashTotal, 'crashed', 'worker-crashed'],
  [METRICS.workerTerminateTotal, 'terminated', 'terminated'],
] as const

const BUSY_HINT =
  'Busy: workers with at least one call on them, of the workers alive. In flight counts calls, not workers: a worker can hold several calls when maxInFlight is above the pool size (the lanes show ×2), and a cancelled call whose handler has not stopped yet keeps its worker busy and its in-flight place until it does.'
const IN_FLIGHT_HINT =
  'Calls on workers, of maxInFlight. A cancelled call still running on its worker keeps its place until the worker lets go of it.'

const PRIORITY_HINT =
  'Calls waiting for a worker, by their own priority (as given, before aging). A higher priority goes first; running calls are never interrupted.'

const MEANS = [
  [METRICS.taskDuration, 'mean run'],
  [METRICS.queueWait, 'mean wait'],
] as const

interface Meter {
  bar: HTMLElement
  fill: HTMLElement
  value: HTMLElement
}

export class TaskCard {
  readonly element: HTMLElement
  readonly #title = h('h3', { class: 'lv-task-name' })
  readonly #type = h('span', { class: 'lv-type' })
  readonly #workerStatus = h('span', { class: 'lv-badge', 'data-testid': 'lv-worker-status' })
  readonly #taskStatus = h('span', { class: 'lv-badge', 'data-testid': 'lv-task-status' })
  readonly #workers = h('span', {
    class: 'lv-workers',
    title: BUSY_HINT,
    'data-testid': 'lv-workers',
  })
  readonly #meters: Record<'inFlight' | 'pending' | 'waiting', Meter>
  readonly #counters = new Map<string, HTMLElement>()
  readonly #outcomes = new Map<CallOutcome, HTMLElement>()
  readonly #byPriority = new Map<TaskPriority, { count: HTMLElement; segment: HTMLElement }>()
  readonly #canvas = h('canvas', { class: 'lv-lanes', role: 'img' })

  constructor() {
    this.#meters = {
      inFlight: meter('in flight', 'lv-in-flight'),
      pending: meter('pending', 'lv-pending'),
      waiting: meter('waiting', 'lv-waiting'),
    }
    // The pending bar is stacked by priority, so a glance tells urgent calls from a backlog:
    // its fill holds one segment per priority, each as wide as its share of the pending calls.
    const pendingFill = this.#meters.pending.fill
    pendingFill.classList.add('lv-meter-stack')
    for (const priority of PRIORITIES) {
      const segment = h('span', { class: 'lv-meter-segment', 'data-priority': priority })
      pendingFill.append(segment)
      const count = h('dd', { 'data-testid': `lv-pending-${priority}` }, '0')
      this.#byPriority.set(priority, { count, segment })
    }
    const gauge = h('div', { class: 'lv-gauge' })
    for (const [name, m] of Object.entries(this.#meters)) {
      const inFlight = name === 'inFlight'
      gauge.append(
        h(
          'span',
          { class: 'lv-meter-label', title: inFlight ? IN_FLIGHT_HINT : null },
          inFlight ? 'in flight' : name,
        ),
        m.bar,
        m.value,
      )
    }
    // Two groups, each under its caption, so a crashed worker and a crashed call never share a line.
    const calls = h('dl', { class: 'lv-counters', 'aria-label': 'Calls' })
    const workers = h('dl', { class: 'lv-counters', 'aria-label': 'Workers' })
    const counter = (group: HTMLElement, label: string, testid: string) => {
      const value = h('dd', { 'data-testid': `lv-counter-${testid}` }, '0')
      group.append(h('div', { class: 'lv-counter' }, h('dt', null, label), value))
      return value
    }
    for (const [name, label, testid] of CALL_COUNTERS) {
      this.#counters.set(name, counter(calls, label, testid))
    }
    for (const outcome of OUTCOME_ORDER) {
      this.#outcomes.set(outcome, counter(calls, outcomeLabel(outcome), outcome))
    }
    for (const [name, label, testid] of WORKER_COUNTERS) {
      this.#counters.set(name, counter(workers, label, testid))
    }
    const pending = h('dl', {
      class: 'lv-counters lv-by-priority',
      'aria-label': 'Pending calls by priority',
      title: PRIORITY_HINT,
    })
    for (const [priority, { count }] of this.#byPriority) {
      pending.append(
        h(
          'div',
          { class: 'lv-counter' },
          h(
            'dt',
            null,
            h('span', { class: 'lv-swatch', 'data-priority': priority, 'aria-hidden': 'true' }),
            priority,
          ),
          count,
        ),
      )
    }
    const counters = h(
      'div',
      { class: 'lv-counter-groups' },
      h('p', { class: 'lv-caption' }, 'calls'),
      calls,
      h('p', { class: 'lv-caption' }, 'workers'),
      workers,
    )
    const means = h('p', { class: 'lv-means' })
    for (const [name, label] of MEANS) {
      const value = h('b', { 'data-testid': `lv-${label.replace(' ', '-')}` }, '–')
      this.#counters.set(name, value)
      means.append(h('span', null, `${label} `, value))
    }
    this.element = h(
      'article',
      { class: 'lv-task', 'data-testid': 'live-task' },
      h(
        'header',
        { class: 'lv-task-head' },
        this.#title,
        this.#type,
        this.#workerStatus,
        this.#taskStatus,
        this.#workers,
      ),
      h(
        'div',
        { class: 'lv-task-body' },
        // Pending by priority right under the gauge: it is the legend of the pending bar too.
        h(
          'div',
          { class: 'lv-left' },
          gauge,
          means,
          h('div', null, h('p', { class: 'lv-caption' }, 'pending by priority'), pending),
        ),
        counters,
      ),
      this.#canvas,
    )
  }

  update(task: TaskModel): void {
    const s = task.snapshot
    if (!s) return
    this.element.dataset.task = s.taskName
    setText(this.#title, s.taskName)
    setText(this.#type, s.type === 'singleton' ? 'singleton' : `parallel × ${s.poolSize}`)
    setText(this.#workerStatus, s.workerStatus)
    this.#workerStatus.dataset.tone = s.workerStatus
    setText(this.#taskStatus, s.taskStatus)
    this.#taskStatus.dataset.tone = s.taskStatus
    // Workers and calls in words that agree: busy is counted in workers, in flight in calls.
    const down = s.totalWorkers - s.activeWorkers
    setText(
      this.#workers,
      `${s.busyWorkers} of ${s.activeWorkers} workers busy${down > 0 ? ` · ${down} down` : ''} · ${s.queuePolicy}`,
    )

    const { inFlight, pending, waiting } = task.levels
    setMeter(this.#meters.inFlight, inFlight, s.maxInFlight, `${inFlight}/${s.maxInFlight}`)
    setMeter(this.#meters.pending, pending, s.maxQueueDepth, `${pending}/${s.maxQueueDepth}`)
    // Each priority's share of the pending bar, from the same snapshot as its total.
    for (const [priority, { count, segment }] of this.#byPriority) {
      const n = s.pendingByPriority[priority]
      setText(count, n)
      segment.style.flexGrow = String(n)
    }
    setMeter(this.#meters.waiting, waiting, Math.max(1, task.waitingPeak), String(waiting))

    for (const [name] of [...CALL_COUNTERS, ...WORKER_COUNTERS]) {
      setText(this.#counters.get(name)!, task.counters.get(name) ?? 0)
    }
    for (const [outcome, element] of this.#outcomes) {
      setText(element, task.outcomes.get(outcome) ?? 0)
    }
    for (const [name] of MEANS) {
      const histogram = task.histograms.get(name)
      setText(this.#counters.get(name)!, histogram ? ms(histogram.sum / histogram.count) : '–')
    }
    this.#canvas.setAttribute(
      'aria-label',
      `Worker lanes of ${s.taskName}: one row per worker, a bar per call over the last seconds`,
    )
  }

  /** Returns whether anything on the lanes is still moving (open calls or bars in the window). */
  draw(task: TaskModel, from: number, now: number, palette: Palette): boolean {
    const lanes = task.snapshot?.poolSize ?? 1
    const bars: LaneBar[] = []
    for (const span of task.spans) {
      const bar = spanBar(span)
      if (bar) bars.push(bar)
    }
    let open = false
    task.open.forEach((calls, lane) => {
      if (calls.count === 0) return
      open = true
      bars.push({ lane, start: calls.since, end: now, tone: 'running' })
    })
    // A worker holding several calls says so, which is how "in flight" can exceed busy workers.
    // From the snapshot, like the counts of busy workers and calls in flight it explains.
    const labels = (task.snapshot?.queueDepthByWorker ?? []).map((calls, lane) =>
      calls > 1 ? `W${lane} ×${calls}` : undefined,
    )
    drawLanes(this.#canvas, { lanes, from, to: now, bars, labels }, palette)
    return open || task.spans.length > 0
  }
}

function meter(label: string, testid: string): Meter {
  const fill = h('span', { class: 'lv-meter-fill' })
  const bar = h(
    'div',
    { class: 'lv-meter', role: 'meter', 'aria-label': label, 'aria-valuemin': 0 },
    fill,
  )
  const value = h('span', { class: 'lv-meter-value', 'data-testid': testid }, '0')
  return { bar, fill, value }
}

function setMeter(m: Meter, value: number, max: number, label: string): void {
  const share = max > 0 ? Math.min(1, value / max) : value > 0 ? 1 : 0
  m.fill.style.transform = `scaleX(${share})`
  m.bar.setAttribute('aria-valuenow', String(value))
  m.bar.setAttribute('aria-valuemax', String(max))
  setText(m.value, label)
}
