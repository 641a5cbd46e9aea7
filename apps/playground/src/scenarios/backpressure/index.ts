/**
 * Scenario 2: a producer that outpaces the pool. The knobs are the task's queue options; each
 * change defines a fresh task (and disposes the old one), so you see one policy at a time.
 */

import { createTaskRuntime, type QueuePolicy, type Task } from 'atelier'
import { mountInspector } from 'atelier/inspector'
import { button, numberField, selectField, stat } from '../../ui/controls'
import { frameScheduler, h } from '../../ui/dom'
import { outcomeLabel, outcomeOfError } from '../../ui/outcomes'
import { type Scenario, type ScenarioHandle, scenarioLayout, section } from '../scenario'
import type { JobAPI } from './job.worker'
import { createQueueChart } from './queue-chart'

export const backpressure: Scenario = { id: 'backpressure', label: 'Backpressure', mount }

const POLICIES: readonly QueuePolicy[] = ['block', 'reject', 'drop-latest', 'drop-oldest']
const RATES = ['10', '20', '40', '80'] as const
const POOL_SIZE = 2
const BURST = 40

function mount(panel: HTMLElement): ScenarioHandle {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const layout = scenarioLayout(panel, {
    title: 'Backpressure',
    lede: `A producer makes calls faster than ${POOL_SIZE} workers can run them. maxInFlight bounds what runs, maxQueueDepth what may wait for a worker, and queuePolicy decides what happens to a call that finds the queue full: block holds the caller (waiting), reject and drop-latest refuse the new call, drop-oldest evicts the oldest pending one.`,
  })
  // First, so it sees every event: metrics are only built while someone listens.
  mountInspector(runtime, { container: layout.live, title: 'Live view' })
  const settings = {
    queuePolicy: 'block' as QueuePolicy,
    maxInFlight: 2,
    maxQueueDepth: 6,
    rate: 40,
    jobMs: 80,
  }
  // Calls by how they ended, in Atelier's outcome words (a refused call and an evicted one are
  // both `queue`: "dropped", whichever policy did it).
  const counts = { produced: 0, ok: 0, queue: 0, exception: 0 }
  let generation = 0
  let taskId = ''
  let task: Task<JobAPI> = define()
  let producer: ReturnType<typeof setInterval> | undefined

  function define(): Task<JobAPI> {
    taskId = `jobs-${generation}`
    return runtime.defineTask<JobAPI>({
      type: 'parallel',
      taskId,
      taskName: 'jobs',
      poolSize: POOL_SIZE,
      init: 'eager',
      queuePolicy: settings.queuePolicy,
      maxInFlight: settings.maxInFlight,
      maxQueueDepth: settings.maxQueueDepth,
      worker: () =>
        new Worker(new URL('./job.worker.ts', import.meta.url), { type: 'module', name: 'job' }),
    })
  }

  /** New options, new task: the old one is disposed and its unfinished calls are not counted. */
  function redefine(): void {
    const old = task
    generation++
    task = define()
    // Disposing removes the old task from snapshots; the live view drops it.
    for (const key of Object.keys(counts) as Array<keyof typeof counts>) counts[key] = 0
    chart.reset()
    void old.dispose()
    status.textContent = `Task redefined: ${settings.queuePolicy}, maxInFlight ${settings.maxInFlight}, maxQueueDepth ${settings.maxQueueDepth}. Counts reset.`
    render.schedule()
  }

  function produce(n: number): void {
    const mine = generation
    for (let i = 0; i < n; i++) {
      counts.produced++
      task.job(settings.jobMs).then(
        () => count(mine, 'ok'),
        (error: unknown) => {
          const outcome = outcomeOfError(error)
          // A disposed task's calls belong to the policy before: its counts are gone already.
          if (outcome === 'disposed') return
          count(mine, outcome === 'queue' ? 'queue' : 'exception')
        },
      )
    }
    render.schedule()
  }

  function count(mine: number, key: keyof typeof counts): void {
    if (mine !== generation) return
    counts[key]++
    render.schedule()
  }

  const policy = selectField({
    label: 'queuePolicy',
    testid: 'bp-policy',
    options: POLICIES,
    value: settings.queuePolicy,
    onChange: (value) => {
      settings.queuePolicy = value
      redefine()
    },
  })
  const inFlightField = numberField({
    label: 'maxInFlight',
    testid: 'bp-max-in-flight',
    value: settings.maxInFlight,
    min: 1,
    max: 8,
    onChange: (value) => {
      settings.maxInFlight = value
      redefine()
    },
  })
  const depthField = numberField({
    label: 'maxQueueDepth',
    testid: 'bp-max-queue-depth',
    value: settings.maxQueueDepth,
    min: 0,
    max: 64,
    onChange: (value) => {
      settings.maxQueueDepth = value
      redefine()
    },
  })
  const rateField = selectField({
    label: 'Producer (calls/s)',
    testid: 'bp-rate',
    options: RATES,
    value: String(settings.rate) as (typeof RATES)[number],
    onChange: (value) => {
      settings.rate = Number(value)
    },
  })
  const jobField = numberField({
    label: 'Job (ms)',
    testid: 'bp-job-ms',
    value: settings.jobMs,
    min: 10,
    max: 1000,
    step: 10,
    onChange: (value) => {
      settings.jobMs = value
    },
  })
  layout.controls.append(
    policy.element,
    inFlightField.element,
    depthField.element,
    rateField.element,
    jobField.element,
  )

  const toggle = button(
    'Start producer',
    'bp-toggle',
    () => (producer ? stopProducer() : startProducer()),
    'primary',
  )
  toggle.setAttribute('aria-pressed', 'false')
  const burst = button(`Burst of ${BURST}`, 'bp-burst', () => produce(BURST))
  const status = h('p', { class: 'status', role: 'status' }, `Pool: ${POOL_SIZE} workers.`)
  layout.actions.append(toggle, burst, status)

  function startProducer(): void {
    let owed = 0
    producer = setInterval(() => {
      owed += settings.rate / 20
      const now = Math.floor(owed)
      owed -= now
      if (now > 0) produce(now)
    }, 50)
    toggle.textContent = 'Stop producer'
    toggle.setAttribute('aria-pressed', 'true')
  }

  function stopProducer(): void {
    clearInterval(producer)
    producer = undefined
    toggle.textContent = 'Start producer'
    toggle.setAttribute('aria-pressed', 'false')
  }

  const stats = {
    produced: stat('produced', 'bp-produced'),
    ok: stat(outcomeLabel('ok'), 'bp-ok', 'ok'),
    queue: stat(outcomeLabel('queue'), 'bp-queue', 'warn'),
    exception: stat(outcomeLabel('exception'), 'bp-exception', 'err'),
  }
  const levels = {
    waiting: stat('waiting', 'bp-waiting'),
    pending: stat('pending', 'bp-pending'),
    inFlight: stat('in flight', 'bp-in-flight', 'accent'),
  }
  const chart = createQueueChart()
  layout.main.append(
    section(
      'Queue now',
      h('div', { class: 'stats' }, ...Object.values(levels).map((s) => s.element)),
      chart.element,
    ),
    section(
      'Calls',
      h('div', { class: 'stats' }, ...Object.values(stats).map((s) => s.element)),
      h(
        'p',
        { class: 'note' },
        `A call the queue refuses (reject, drop-latest) or evicts (drop-oldest) is ${outcomeLabel('queue')}: it fails with QueueDropError, whose policy says which.`,
      ),
    ),
  )

  const render = frameScheduler(() => {
    for (const [key, s] of Object.entries(stats)) s.set(counts[key as keyof typeof counts])
  })

  // Continuous snapshots (not only on change) so the chart scrolls while the queue is steady.
  runtime.subscribeRuntimeSnapshot(
    (snapshot) => {
      const state = snapshot.tasks.find((t) => t.taskId === taskId)
      if (!state) return
      levels.waiting.set(state.waitingQueueDepth)
      levels.pending.set(state.pendingQueueDepth)
      levels.inFlight.set(state.queueDepth)
      chart.push(
        {
          t: performance.now(),
          inFlight: state.queueDepth,
          pending: state.pendingQueueDepth,
          waiting: state.waitingQueueDepth,
        },
        { maxInFlight: state.maxInFlight, maxQueueDepth: state.maxQueueDepth },
      )
    },
    { intervalMs: 100, onlyOnChange: false },
  )

  return { pause: () => producer && stopProducer() }
}
