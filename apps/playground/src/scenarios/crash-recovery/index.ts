/**
 * Scenario 4: a steady workload on a pool whose workers you crash on purpose. The crash policy
 * decides what happens to the calls that were on a crashed worker; restarts back off; too many
 * crashes in a row fail the task until it is restarted.
 */

import {
  type CrashPolicy,
  createTaskRuntime,
  METRICS,
  type Task,
  WorkerCrashedError,
} from 'atelier'
import { mountInspector } from 'atelier/inspector'
import { button, numberField, selectField, stat } from '../../ui/controls'
import { frameScheduler, h, setText } from '../../ui/dom'
import { outcomeLabel, outcomeOfSpan } from '../../ui/outcomes'
import { type Scenario, type ScenarioHandle, scenarioLayout, section } from '../scenario'
import { createCrashLog } from './crash-log'
import { CRASH_ON_START } from './crash-on-start'
import type { FlakyAPI } from './flaky.worker'

/** Chromium appends the worker script's URL and line to the message; the log needs neither. */
function withoutLocation(message: string): string {
  return message.replace(/\s*\([a-z]+:\/\/[^)]*\)\s*$/, '')
}

export const crashRecovery: Scenario = { id: 'crash-recovery', label: 'Crash recovery', mount }

const POLICIES: readonly CrashPolicy[] = [
  'restart-requeue-in-flight',
  'restart-fail-in-flight',
  'fail-task',
]
const POOL_SIZE = 3
const RATE = 16
const JOB_MS = 150
/** The crash loop: after the injected crash, this many restarts crash again as they start. */
const LOOP_RESTARTS = 2

function mount(panel: HTMLElement): ScenarioHandle {
  const origin = Date.now()
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const layout = scenarioLayout(panel, {
    title: 'Crash recovery',
    lede: `A steady workload (${RATE} calls/s of ${JOB_MS} ms) runs on ${POOL_SIZE} workers, up to two calls each. Inject a crash and a worker dies of an uncaught error: Atelier replaces it after a backoff (100 ms, doubling per consecutive crash, at most 2 s) and crashPolicy decides the fate of the calls that were on it. More than crashMaxRetries crashes in a row, with no call answered in between, fail the task: set it to 1 and inject ${POOL_SIZE} at once.`,
  })
  // First, so it sees every event: metrics are only built while someone listens.
  mountInspector(runtime, { container: layout.live, title: 'Live view' })
  const settings = { crashPolicy: POLICIES[0]!, crashMaxRetries: 3 }
  const counts = { completed: 0, crashedCalls: 0, crashes: 0, spawns: 0, requeues: 0 }
  let lastError = ''
  let generation = 0
  let workload: ReturnType<typeof setInterval> | undefined
  /** Workers still to be spawned broken, for the crash loop. */
  let brokenStarts = 0
  /** Set while Restart task runs: the spawns it makes are not backoffs. */
  let restarting = false

  // ---- the page ----------------------------------------------------------------------------

  const policy = selectField({
    label: 'crashPolicy',
    testid: 'cr-policy',
    options: POLICIES,
    value: settings.crashPolicy,
    onChange: (value) => {
      settings.crashPolicy = value
      redefine()
    },
  })
  const retries = numberField({
    label: 'crashMaxRetries',
    testid: 'cr-max-retries',
    value: settings.crashMaxRetries,
    min: 0,
    max: 8,
    onChange: (value) => {
      settings.crashMaxRetries = value
      redefine()
    },
  })
  layout.controls.append(policy.element, retries.element)

  const toggle = button(
    'Start workload',
    'cr-toggle',
    () => (workload ? stopWorkload() : startWorkload()),
    'primary',
  )
  toggle.setAttribute('aria-pressed', 'false')
  const crashOne = button('Inject crash', 'cr-inject', () => inject(1), 'danger')
  const crashMany = button(
    `Inject ${POOL_SIZE} at once`,
    'cr-inject-many',
    () => inject(POOL_SIZE),
    'danger',
  )
  const crashLoop = button('Crash loop', 'cr-crash-loop', () => loop(), 'danger')
  crashLoop.title = `Inject a crash, and make the next ${LOOP_RESTARTS} restarts crash as they start: the restart delay doubles each time.`
  // startWorkers() revives a failed task (and spawns any worker still backing off).
  const restart = button('Restart task', 'cr-restart', () => restartTask())
  const status = h(
    'p',
    { class: 'status', role: 'status', 'data-testid': 'cr-status' },
    `Pool: ${POOL_SIZE} workers.`,
  )
  layout.actions.append(toggle, crashOne, crashMany, crashLoop, restart, status)

  const stats = {
    completed: stat(`calls ${outcomeLabel('ok')}`, 'cr-completed', 'ok'),
    crashes: stat('worker crashes', 'cr-crashes', 'err'),
    spawns: stat('workers spawned', 'cr-spawns'),
    requeues: stat('calls requeued', 'cr-requeues', 'accent'),
    crashedCalls: stat(`calls ${outcomeLabel('crash')}`, 'cr-crashed-calls', 'warn'),
  }
  const health = h('span', { class: 'lv-badge', 'data-testid': 'cr-health' }, 'stopped')
  const alive = h('span', { class: 'muted' })
  const lastCrash = h('p', { class: 'last-crash', 'data-testid': 'cr-last-crash' }, 'No crash yet.')
  const lastErrorLine = h('p', { class: 'last-crash', 'data-testid': 'cr-last-error' })
  const log = createCrashLog(origin)
  layout.main.append(
    section(
      'Outcomes',
      h('div', { class: 'stats' }, ...Object.values(stats).map((s) => s.element)),
      h(
        'p',
        { class: 'note' },
        `Calls ${outcomeLabel('crash')}: calls rejected with WorkerCrashedError, the injected ones included (they carry a transferred buffer, so they are never replayed). Requeued calls ran again instead.`,
      ),
    ),
    section(
      'Task health',
      h('p', { class: 'health' }, 'Workers ', health, alive),
      lastCrash,
      lastErrorLine,
      log.element,
    ),
  )
  const render = frameScheduler(() => {
    for (const [key, s] of Object.entries(stats)) s.set(counts[key as keyof typeof stats])
  })

  // ---- the task ----------------------------------------------------------------------------

  // Crashes, spawns and requeues come from the runtime's event stream, filtered to the current
  // task, and so does the crash log. Subscribed before the first task exists, so its first
  // spawns count too.
  let taskId = ''
  runtime.subscribeEvents((event) => {
    if (event.kind === 'span') {
      if (event.taskId !== taskId) return
      const outcome = outcomeOfSpan(event)
      // The worker answered (even with an error): it is healthy, its crash count starts over.
      if (event.workerIndex !== undefined && (outcome === 'ok' || outcome === 'exception')) {
        log.answered(event.workerIndex)
      }
      log.call(event)
      return
    }
    if (event.kind !== 'counter' || event.attrs['task.id'] !== taskId) return
    const worker = event.attrs['worker.index']
    if (event.name === METRICS.workerCrashTotal) {
      counts.crashes++
      if (worker !== undefined) log.crashed(worker, event.ts, crashMessage())
      // The task decides whether it failed right after it reports the crash.
      const crashed = task
      queueMicrotask(() => {
        if (crashed === task && task.getState().failed) {
          log.taskFailed(Date.now(), failureReason())
        }
      })
    } else if (event.name === METRICS.workerSpawnTotal) {
      counts.spawns++
      if (worker !== undefined) log.spawned(worker, event.ts, restarting)
    } else if (event.name === METRICS.requeueTotal) {
      counts.requeues++
      if (worker !== undefined) log.requeued(worker)
    } else {
      return
    }
    render.schedule()
  })

  function crashMessage(): string {
    const crash = task.getState().lastCrash
    return crash ? withoutLocation(crash.error.message) : 'unknown error'
  }

  function failureReason(): string {
    return settings.crashPolicy === 'fail-task'
      ? 'crashPolicy fail-task'
      : `more than crashMaxRetries (${settings.crashMaxRetries}) crashes in a row`
  }

  let task = define()

  function define(): Task<FlakyAPI> {
    taskId = `flaky-${generation}`
    return runtime.defineTask<FlakyAPI>({
      type: 'parallel',
      taskId,
      taskName: 'flaky',
      poolSize: POOL_SIZE,
      // Eager: a crashed worker comes back after its backoff even when no call is waiting.
      init: 'eager',
      // Two calls per worker, so a crash can catch a bystander whose fate the policy decides.
      maxInFlight: POOL_SIZE * 2,
      maxQueueDepth: 24,
      crashPolicy: settings.crashPolicy,
      crashMaxRetries: settings.crashMaxRetries,
      worker: () => {
        const broken = brokenStarts > 0
        if (broken) brokenStarts--
        return new Worker(new URL('./flaky.worker.ts', import.meta.url), {
          type: 'module',
          name: broken ? CRASH_ON_START : 'flaky',
        })
      },
    })
  }

  /** New options, new task: the old one is disposed and its unfinished calls are not counted. */
  function redefine(): void {
    const old = task
    generation++
    for (const key of Object.keys(counts) as Array<keyof typeof counts>) counts[key] = 0
    lastError = ''
    brokenStarts = 0
    task = define()
    void old.dispose()
    log.note(
      Date.now(),
      `task redefined: ${settings.crashPolicy}, crashMaxRetries ${settings.crashMaxRetries}`,
    )
    setText(
      status,
      `Task redefined: ${settings.crashPolicy}, crashMaxRetries ${settings.crashMaxRetries}. Counts reset.`,
    )
    render.schedule()
  }

  function work(): void {
    const mine = generation
    task.work(JOB_MS).then(() => bump(mine, 'completed'), crashed(mine))
  }

  /** Counts a call that failed with its worker, as the live view counts it (`crashed`). */
  function crashed(mine: number) {
    return (error: unknown) => {
      if (mine !== generation || !(error instanceof WorkerCrashedError)) return
      lastError = error.message
      bump(mine, 'crashedCalls')
    }
  }

  /**
   * The poison call carries a buffer, which Atelier transfers, so it is never replayed (its data
   * went down with the worker): under restart-requeue-in-flight only the innocent calls that
   * shared its worker are requeued, instead of the poison crashing worker after worker.
   */
  function inject(times: number): void {
    const mine = generation
    for (let i = 0; i < times; i++) task.crash(new ArrayBuffer(1)).catch(crashed(mine))
    setText(status, times === 1 ? 'Crash injected.' : `${times} crashes injected at once.`)
  }

  /** A crash, then restarts that crash again as they start: the backoff doubles each time. */
  function loop(): void {
    brokenStarts = LOOP_RESTARTS
    inject(1)
    setText(
      status,
      `Crash loop: the crashed worker's next ${LOOP_RESTARTS} restarts crash too. Watch the backoff double in the log.`,
    )
  }

  /** startWorkers(): revives a failed task, and spawns any worker still backing off at once. */
  function restartTask(): void {
    const failed = task.getState().failed
    // A broken build would not fix itself on a restart, but the crash loop is a demo of backoff.
    brokenStarts = 0
    log.restarted(Date.now(), failed)
    restarting = true
    const started = task.startWorkers()
    void started
      .then(() => setText(status, 'startWorkers(): every worker is up.'))
      .finally(() => {
        restarting = false
      })
  }

  function bump(mine: number, key: keyof typeof counts): void {
    if (mine !== generation) return
    counts[key]++
    render.schedule()
  }

  function startWorkload(): void {
    workload = setInterval(work, 1000 / RATE)
    toggle.textContent = 'Stop workload'
    toggle.setAttribute('aria-pressed', 'true')
  }

  function stopWorkload(): void {
    clearInterval(workload)
    workload = undefined
    toggle.textContent = 'Start workload'
    toggle.setAttribute('aria-pressed', 'false')
  }

  // getState() for what only the task knows: its workers and its last crash.
  setInterval(() => {
    const state = task.getState()
    setText(health, state.workerStatus)
    health.dataset.tone = state.workerStatus
    setText(alive, `${state.activeWorkers} of ${state.poolSize} alive`)
    const crash = state.lastCrash
    if (crash) {
      const ago = ((Date.now() - crash.ts) / 1000).toFixed(1)
      const message = withoutLocation(crash.error.message)
      setText(lastCrash, `Last crash: W${crash.workerIndex}, ${ago} s ago: ${message}`)
    } else {
      setText(lastCrash, 'No crash yet.')
    }
    setText(lastErrorLine, lastError ? `Last WorkerCrashedError: ${lastError}` : '')
  }, 250)

  return { pause: () => workload && stopWorkload() }
}
