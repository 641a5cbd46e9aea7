/**
 * Scenario 7: priorities. A background batch keeps the pool busy for seconds; clicks made with
 * `task.with({ priority: 'user-blocking' })` join the same queue and go ahead of every job still
 * waiting. Each click's queue wait (from its span) is shown beside what first come, first served
 * would have made it wait. The aging knob shows the batch's front job rising while clicks wait
 * with it, so that a flood of clicks still lets the batch through, a job at a time.
 */

import { createTaskRuntime, type Task, type TaskPriority } from 'atelier'
import { mountInspector } from 'atelier/inspector'
import { button, numberField, selectField, stat } from '../../ui/controls'
import { frameScheduler, h, setText } from '../../ui/dom'
import { ms } from '../../ui/format'
import { type Scenario, type ScenarioHandle, scenarioLayout, section } from '../scenario'
import { Batch, MEAN_JOB_MS, POOL_SIZE } from './batch'
import { createClickTable } from './click-table'
import { CLICK_MS, Clicks, median } from './clicks'
import type { JobsAPI } from './jobs.worker'
import { createPromotePanel } from './promote-panel'

export const priorities: Scenario = { id: 'priorities', label: 'Priorities', mount }

/** Room for the largest batch and the clicks sent into it. */
const MAX_QUEUE_DEPTH = 1000
const PRIORITIES: readonly TaskPriority[] = ['user-blocking', 'user-visible', 'background']
const AGING = [
  { value: '0', label: '0 (off)' },
  { value: '500', label: '500 (default)' },
  { value: '2000', label: '2000' },
  { value: '10000', label: '10000' },
] as const
type Aging = (typeof AGING)[number]['value']
const CLICK_PRIORITIES = [
  { value: 'user-blocking', label: 'user-blocking' },
  { value: 'user-visible', label: 'user-visible' },
  { value: 'background', label: 'background, as the batch' },
] as const satisfies ReadonlyArray<{ value: TaskPriority; label: string }>
const AUTO = [
  { value: '1000', label: '1000 ms' },
  { value: '250', label: '250 ms' },
  { value: '100', label: '100 ms' },
  { value: '10', label: '10 ms (a flood)' },
] as const
type Auto = (typeof AUTO)[number]['value']

function mount(panel: HTMLElement): ScenarioHandle {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const layout = scenarioLayout(panel, {
    title: 'Priorities',
    lede: `A background batch keeps ${POOL_SIZE} workers busy for seconds. A click's call, made with task.with({ priority: "user-blocking" }), joins the same queue and goes before every batch job still waiting, so it waits only for a worker to finish the job it is on: running calls are never interrupted. Each click's queue wait is shown beside what first come, first served would have made it wait.`,
  })
  // First, so it sees every event: metrics are only built while someone listens.
  mountInspector(runtime, { container: layout.live, title: 'Live view' })
  const settings = {
    batchSize: 300,
    // The library's default.
    agingMs: 500,
    priority: 'user-blocking' as TaskPriority,
    autoMs: 250,
  }
  let generation = 0
  let taskId = ''
  let task: Task<JobsAPI> = define()
  let batch: Batch | undefined
  /** The clicks into the latest batch. */
  let clicks = new Clicks(runtime, POOL_SIZE)
  let auto: ReturnType<typeof setInterval> | undefined
  /** Background calls queued, from the latest snapshot. */
  let backgroundQueued = 0

  function define(): Task<JobsAPI> {
    taskId = `work-${++generation}`
    return runtime.defineTask<JobsAPI>({
      type: 'parallel',
      taskId,
      taskName: 'work',
      poolSize: POOL_SIZE,
      init: 'eager',
      maxQueueDepth: MAX_QUEUE_DEPTH,
      // The batch's priority; a click says its own with with({ priority }).
      priority: 'background',
      priorityAgingMs: settings.agingMs,
      worker: () =>
        new Worker(new URL('./jobs.worker.ts', import.meta.url), { type: 'module', name: 'jobs' }),
    })
  }

  const batchField = numberField({
    label: 'Batch (jobs)',
    testid: 'pr-batch',
    value: settings.batchSize,
    min: 20,
    max: 800,
    step: 10,
    onChange: (value) => {
      settings.batchSize = value
    },
  })
  const agingField = selectField<Aging>({
    label: 'priorityAgingMs',
    testid: 'pr-aging',
    options: AGING,
    value: String(settings.agingMs) as Aging,
    onChange: (value) => {
      // A task option: a fresh task (and workers) with it, the old one disposed.
      settings.agingMs = Number(value)
      const old = task
      task = define()
      void old.dispose()
      status.textContent = `Task redefined with priorityAgingMs ${value}.`
      render.schedule()
    },
  })
  const priorityField = selectField<TaskPriority>({
    label: 'Clicks are',
    testid: 'pr-priority',
    options: CLICK_PRIORITIES,
    value: settings.priority,
    onChange: (value) => {
      settings.priority = value
      clickButton.textContent = clickLabel()
    },
  })
  const autoField = selectField<Auto>({
    label: 'Auto: a click every',
    testid: 'pr-auto-ms',
    options: AUTO,
    value: String(settings.autoMs) as Auto,
    onChange: (value) => {
      settings.autoMs = Number(value)
      if (auto) startAuto()
    },
  })
  layout.controls.append(
    batchField.element,
    agingField.element,
    priorityField.element,
    autoField.element,
  )

  const startButton = button('Start batch', 'pr-start', () => toggleBatch(), 'primary')
  const clickLabel = () => `Click (${settings.priority})`
  const clickButton = button(clickLabel(), 'pr-click', () => sendClick())
  const autoButton = button('Auto clicks', 'pr-auto', () => (auto ? stopAuto() : startAuto()))
  autoButton.setAttribute('aria-pressed', 'false')
  const status = h(
    'p',
    { class: 'status', role: 'status', 'data-testid': 'pr-status' },
    `Pool: ${POOL_SIZE} workers. Jobs of 20–50 ms; a click's job takes ${CLICK_MS} ms.`,
  )
  layout.actions.append(startButton, clickButton, autoButton, status)

  function toggleBatch(): void {
    if (batch?.running) {
      batch.stop()
      return
    }
    const run = new Batch(runtime, task, settings.batchSize, () => {
      status.textContent =
        run.lost > 0
          ? `Batch stopped: ${run.done} of ${run.size} jobs done.`
          : `Batch done: ${run.size} jobs in ${ms(run.elapsedMs())}.`
      setRunning(false)
    })
    batch = run
    // Clicks measure their wait against this batch, so the figures start afresh with it.
    clicks = new Clicks(runtime, POOL_SIZE)
    status.textContent = `${run.size} background jobs queued at once on ${POOL_SIZE} workers. Click into them.`
    setRunning(true)
  }

  function setRunning(running: boolean): void {
    startButton.textContent = running ? 'Stop batch' : 'Start batch'
    // The batch's size and its task's aging are fixed while it runs.
    batchField.input.disabled = running
    agingField.input.disabled = running
    render.schedule()
  }

  function sendClick(): void {
    clicks.send(task, settings.priority, batch?.meanRunMs ?? MEAN_JOB_MS, render.schedule)
    render.schedule()
  }

  function startAuto(): void {
    clearInterval(auto)
    // A busy page runs its timers late: catching up keeps the rate the one picked, so a flood of
    // a click every 10 ms stays more than the pool runs. Far behind (a hidden tab), it starts over.
    let due = performance.now() + settings.autoMs
    auto = setInterval(() => {
      const now = performance.now()
      if (now - due > 1000) due = now
      for (; due <= now; due += settings.autoMs) sendClick()
    }, settings.autoMs)
    autoButton.setAttribute('aria-pressed', 'true')
  }

  function stopAuto(): void {
    clearInterval(auto)
    auto = undefined
    autoButton.setAttribute('aria-pressed', 'false')
  }

  // ---- results -------------------------------------------------------------------------------

  const progress = h('progress', {
    class: 'progress',
    max: 1,
    value: 0,
    'aria-label': 'Batch progress',
  })
  const percent = h('span', { class: 'progress-percent', 'data-testid': 'pr-percent' }, '0%')
  const batchStats = {
    done: stat('batch jobs done', 'pr-done', 'ok'),
    queued: stat('background queued', 'pr-bg-queued'),
    longest: stat('longest job wait', 'pr-longest-wait', 'warn'),
    time: stat('elapsed', 'pr-makespan'),
  }
  const timeLabel = batchStats.time.element.querySelector('.stat-label')!
  const clickStats = {
    count: stat('clicks', 'pr-click-count'),
    blocking: stat('user-blocking wait', 'pr-ub-wait', 'accent'),
    fifo: stat('their FIFO estimate', 'pr-ub-fifo'),
    background: stat('background wait', 'pr-bg-wait'),
  }
  const table = createClickTable()
  const promote = createPromotePanel(() => {
    batch?.promote()
    render.schedule()
  })
  const rank = h('p', { class: 'verdict', 'data-testid': 'pr-rank' })
  layout.main.append(
    section(
      'Background batch',
      h('div', { class: 'stats' }, ...Object.values(batchStats).map((s) => s.element)),
      h('div', { class: 'progress-row' }, progress, percent),
      h(
        'p',
        { class: 'note' },
        'All jobs are called at once, on a task defined with priority: "background". The longest job wait is the backlog: what a call made as the batch started waits, first come, first served.',
      ),
    ),
    section(
      'Clicks, newest first',
      h('div', { class: 'stats' }, ...Object.values(clickStats).map((s) => s.element)),
      table.element,
      h(
        'p',
        { class: 'note' },
        'Counted from the latest batch’s start; waits are medians. FIFO ≈ is the calls queued ahead × the batch’s mean run time ÷ 2 workers. Clicks sent as "background, as the batch" measure it: they wait at the back of the queue.',
      ),
    ),
    section(
      'Aging: priorityAgingMs',
      h(
        'p',
        { class: 'note' },
        'Aging keeps the batch from starving without undoing priorities: only the job at the front of the batch ages, and only while calls of another priority wait with it, rising one level per priorityAgingMs. With the default 500 ms it ranks with a user-blocking click after 1 s and, being older, goes next; then the job behind it starts aging, while every click still goes before the rest of the batch. Flood the pool with auto clicks every 10 ms: the batch trickles through them, a job every 2 × priorityAgingMs (2000 and 10000 slow it down). 0 turns aging off, for strict priorities: the batch then stalls for as long as the flood lasts.',
      ),
      rank,
    ),
    promote.element,
  )

  const render = frameScheduler(() => {
    const b = batch
    if (b) {
      progress.max = b.size
      progress.value = b.done
      setText(percent, `${Math.floor((100 * b.done) / b.size)}%`)
      batchStats.done.set(`${b.done} / ${b.size}`)
      batchStats.longest.set(b.longestWaitMs > 0 ? ms(b.longestWaitMs) : '–')
      batchStats.time.set(ms(b.elapsedMs()))
      setText(timeLabel, b.running ? 'elapsed' : 'makespan')
    }
    batchStats.queued.set(backgroundQueued)

    const waits = (priority: TaskPriority) => clicks.ran(priority).map((c) => c.span!.queueWaitMs!)
    const blocking = clicks.ran('user-blocking')
    clickStats.count.set(clicks.all.length)
    clickStats.blocking.set(blocking.length ? ms(median(waits('user-blocking'))) : '–')
    clickStats.fifo.set(blocking.length ? ms(median(blocking.map((c) => c.fifoMs))) : '–')
    const background = waits('background')
    clickStats.background.set(background.length ? ms(median(background)) : '–')
    table.update(clicks.all)
    promote.update(b)
    setText(rank, rankOfFront(b))
  })

  /** What the job at the batch's front ranks as now; the jobs behind it stay background. */
  function rankOfFront(b: Batch | undefined): string {
    if (!b?.running)
      return 'Start the batch and click: the job at its front ages while clicks wait.'
    const { rivals } = b.front
    const aged = b.front.agedMs()
    if (!rivals || aged === undefined) {
      return 'No call of another priority waits with the batch: its jobs go in order, none aging.'
    }
    const one = rivals.count === 1
    const them = one ? 'it' : 'them'
    const waiting = `${rivals.count} ${rivals.priority} call${one ? '' : 's'} waiting`
    if (settings.agingMs === 0) {
      return `${waiting}, and aging is off: the job at the batch’s front stays background, and goes only once no call of a higher priority waits.`
    }
    const target = PRIORITIES.indexOf(rivals.priority)
    const level = Math.max(target, 2 - Math.floor(aged / settings.agingMs))
    const front = `${waiting}: the job at the batch’s front has aged ${ms(aged)} and ranks as ${PRIORITIES[level]}`
    if (level > target) {
      return `${front}; at ${ms((2 - target) * settings.agingMs)} it ranks with ${them} and, being older, goes next. The jobs behind it wait as background.`
    }
    return `${front}, like ${them}: being older, it goes at the next free worker, and the job behind it starts aging.`
  }

  runtime.subscribeEvents((event) => {
    if (event.kind !== 'span' || event.taskId !== taskId) return
    if (clicks.onSpan(event) || batch?.onSpan(event)) render.schedule()
  })
  // Continuous snapshots while the batch runs, so its elapsed time and rank keep moving.
  runtime.subscribeRuntimeSnapshot(
    (snapshot) => {
      const state = snapshot.tasks.find((t) => t.taskId === taskId)
      const queued = state?.pendingByPriority.background ?? 0
      if (state && batch?.running) batch.front.queued(state.pendingByPriority)
      if (batch?.running || auto || queued !== backgroundQueued) render.schedule()
      backgroundQueued = queued
    },
    { intervalMs: 100, onlyOnChange: false },
  )

  return { pause: () => auto && stopAuto() }
}
