/**
 * One task in the live view: its status, a queue gauge against its limits, its counters and its
 * worker lanes. Built once per task and updated in place every frame that changed something.
 */

import { METRICS } from 'atelier'
import { h, setText } from './dom'
import { ms } from './format'
import { drawLanes, type LaneBar, spanBar } from './lanes'
import type { TaskModel } from './model'
import type { Palette } from './palette'

const COUNTERS = [
  [METRICS.dispatchTotal, 'dispatched'],
  [METRICS.successTotal, 'ok'],
  [METRICS.failureTotal, 'failed'],
  [METRICS.canceledTotal, 'canceled'],
  [METRICS.rejectedTotal, 'rejected'],
  [METRICS.requeueTotal, 'requeued'],
  [METRICS.workerSpawnTotal, 'spawned'],
  [METRICS.workerCrashTotal, 'crashed'],
  [METRICS.workerTerminateTotal, 'terminated'],
] as const

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
  readonly #workers = h('span', { class: 'lv-workers' })
  readonly #meters: Record<'inFlight' | 'pending' | 'waiting', Meter>
  readonly #counters = new Map<string, HTMLElement>()
  readonly #canvas = h('canvas', { class: 'lv-lanes', role: 'img' })

  constructor() {
    this.#meters = {
      inFlight: meter('in flight', 'lv-in-flight'),
      pending: meter('pending', 'lv-pending'),
      waiting: meter('waiting', 'lv-waiting'),
    }
    const gauge = h('div', { class: 'lv-gauge' })
    for (const [name, m] of Object.entries(this.#meters)) {
      gauge.append(
        h('span', { class: 'lv-meter-label' }, name === 'inFlight' ? 'in flight' : name),
        m.bar,
        m.value,
      )
    }
    const counters = h('dl', { class: 'lv-counters' })
    for (const [name, label] of COUNTERS) {
      const value = h('dd', { 'data-testid': `lv-counter-${label}` }, '0')
      this.#counters.set(name, value)
      counters.append(h('div', { class: 'lv-counter' }, h('dt', null, label), value))
    }
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
      h('div', { class: 'lv-task-body' }, h('div', { class: 'lv-left' }, gauge, means), counters),
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
    setText(this.#workers, `${s.busyWorkers}/${s.totalWorkers} busy · ${s.queuePolicy}`)

    const { inFlight, pending, waiting } = task.levels
    setMeter(this.#meters.inFlight, inFlight, s.maxInFlight, `${inFlight}/${s.maxInFlight}`)
    setMeter(this.#meters.pending, pending, s.maxQueueDepth, `${pending}/${s.maxQueueDepth}`)
    setMeter(this.#meters.waiting, waiting, Math.max(1, task.waitingPeak), String(waiting))

    for (const [name] of COUNTERS) setText(this.#counters.get(name)!, task.counters.get(name) ?? 0)
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
    drawLanes(this.#canvas, { lanes, from, to: now, bars, axis: 'ago' }, palette)
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
