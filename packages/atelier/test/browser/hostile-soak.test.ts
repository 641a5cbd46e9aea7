/**
 * The fault-injection soak with hostile inputs (issue 11): a random mix of plain calls, hostile
 * arguments and results, crashes and self-closing workers, cancels by signal and by key, and
 * re-entrant listeners (one makes new calls as calls settle, one aborts keys
 * on failures, one stops and restarts the workers on crashes). Every call settles exactly once,
 * as its kind allows, is reported by exactly one span, and the executor ends empty.
 * Seeded like the fuzz test (`VITE_FUZZ_SEED`); `VITE_SOAK_CALLS` sets the size.
 */
import { describe, expect, test } from 'vitest'
import {
  AbortError,
  type CrashPolicy,
  createTaskRuntime,
  type RuntimeEvent,
  TimeoutError,
  WorkerCrashedError,
} from '../../src/index'
import { executorOf } from '../../src/task'
import { expectDrained } from '../support/drained'
import {
  defineHostile,
  expectNoPageErrors,
  settleCounter,
  sleep,
  until,
} from './fixtures/hostile-define'
import { HOSTILE_KINDS, type HostileKind, type HostileMode } from './fixtures/hostile-kinds'
import { hostileValue, Random, resolveSeed } from './fixtures/hostile-values'

expectNoPageErrors()

const SEED = resolveSeed(import.meta.env.VITE_FUZZ_SEED, 0x50a4)
const CALLS = Number(import.meta.env.VITE_SOAK_CALLS ?? 1000)
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4']

type Kind =
  | { kind: 'plain'; value: number }
  | { kind: 'hostile-argument'; unsendable: boolean; label: string }
  | { kind: 'hostile-result'; fate: 'ok' | 'fails'; label: string }
  | { kind: 'crashy'; value: number }
  | { kind: 'signal' }
  | { kind: 'keyed' }
  | { kind: 'listener' }

const VALUE_KINDS = (Object.keys(HOSTILE_KINDS) as HostileKind[]).filter(
  (kind) => HOSTILE_KINDS[kind] === 'ok' || HOSTILE_KINDS[kind] === 'fails',
)

async function soak(crashPolicy: CrashPolicy, seed: number) {
  const random = new Random(seed)
  // The listeners draw from a stream of their own: when they run depends on timing, and the
  // mix of calls must not.
  const chance = new Random(seed ^ 0x1157e2)
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
  const { task } = defineHostile(
    {
      type: 'parallel',
      poolSize: 2,
      maxInFlight: 4,
      maxQueueDepth: 64,
      crashPolicy,
      // Random crashes can hit a replay too; and answers reset the streak.
      crashMaxRetries: 12,
      // Only a bound for the test: crash backoffs may hold calls for seconds, legitimately.
      timeoutMs: 20_000,
    },
    runtime,
  )
  const calls: Array<{ made: Kind; counter: ReturnType<typeof settleCounter> }> = []
  const controls: Array<ReturnType<typeof settleCounter>> = []
  const syncThrows: unknown[] = []
  const track = (made: Kind, make: () => Promise<unknown>) => {
    try {
      calls.push({ made, counter: settleCounter(make()) })
    } catch (error) {
      syncThrows.push(error)
    }
  }

  // Re-entrant listeners, acting while the runtime emits.
  let spans = 0
  let listenerCalls = 0
  let restarts = 0
  let keyAborts = 0
  runtime.subscribeEvents((event: RuntimeEvent) => {
    if (event.kind === 'span') {
      spans++
      if (
        event.status === 'ok' &&
        listenerCalls < 40 &&
        (listenerCalls === 0 || chance.chance(0.03))
      ) {
        listenerCalls++
        track({ kind: 'listener' }, () => task.echo('from a listener'))
      }
    }
  })
  runtime.subscribeEvents((event: RuntimeEvent) => {
    if (event.kind !== 'counter' || event.name !== 'task.failure.total') return
    if (keyAborts === 0 || chance.chance(0.2)) {
      const key = chance.pick(KEYS)
      keyAborts++
      runtime.abortTaskController.abort(key)
      setTimeout(() => runtime.abortTaskController.clear(key), chance.int(20))
    }
  })
  runtime.subscribeEvents((event: RuntimeEvent) => {
    if (event.kind === 'counter' && event.name === 'worker.crash.total' && restarts < 5) {
      if (restarts > 0 && !chance.chance(0.3)) return
      restarts++
      controls.push(settleCounter(task.stopWorkers()))
      controls.push(settleCounter(task.startWorkers()))
    }
  })

  for (let i = 0; i < CALLS; i++) {
    const roll = random.next()
    if (roll < 0.5) track({ kind: 'plain', value: i }, () => task.echo(i))
    else if (roll < 0.62) {
      const hostile = hostileValue(random, 2)
      track(
        { kind: 'hostile-argument', unsendable: hostile.unsendable, label: hostile.label },
        () => task.echo(hostile.value),
      )
    } else if (roll < 0.74) {
      const kind = random.pick(VALUE_KINDS)
      const mode = random.pick(['sync', 'async', 'throw', 'reject'] as HostileMode[])
      const fate = mode === 'sync' || mode === 'async' ? HOSTILE_KINDS[kind] : 'fails'
      track(
        { kind: 'hostile-result', fate: fate as 'ok' | 'fails', label: `${kind} ${mode}` },
        () => task.make(kind, mode),
      )
    } else if (roll < 0.77) {
      track({ kind: 'crashy', value: i }, () => task.maybeCrash(i, 0.3))
    } else if (roll < 0.88) {
      const controller = new AbortController()
      track({ kind: 'signal' }, () =>
        task.with({ signal: controller.signal }).sleep(random.int(30)),
      )
      setTimeout(() => controller.abort(), random.int(20))
    } else {
      track({ kind: 'keyed' }, () => task.with({ key: random.pick(KEYS) }).sleep(random.int(10)))
    }
    if (i % 25 === 24) await sleep(random.int(5))
  }

  await until(
    () => calls.every((c) => c.counter.count() > 0) && controls.every((c) => c.count() > 0),
    30_000,
    `seed ${seed}: every call settled`,
  )
  // Let cancelled calls still running in their workers answer, and late settlements show.
  await until(
    () => {
      const sizes = executorOf(task)!.internalSizes
      return Object.values(sizes).every((n) => n === 0)
    },
    5000,
    `seed ${seed}: the executor emptied`,
  ).catch(() => undefined)
  await sleep(20)

  const problems: string[] = []
  for (const [i, { made, counter }] of calls.entries()) {
    const label = `call ${i} (${made.kind}${'label' in made ? ` ${made.label}` : ''})`
    if (counter.count() !== 1) problems.push(`${label}: settled ${counter.count()} times`)
    const result = await counter.result
    const error = result.ok ? undefined : result.error
    const crashed = error instanceof WorkerCrashedError
    // Any call may go down with a worker a neighbour crashed (under restart-requeue-in-flight,
    // once replayed crashMaxRetries times), and a stopWorkers() from the crash listener fails
    // calls whose arguments were transferred.
    const bystander = crashed || error instanceof AbortError
    // timeoutMs is only the test's bound: a call of any kind that reached it hung.
    if (error instanceof TimeoutError) {
      problems.push(`${label}: hung`)
      continue
    }
    switch (made.kind) {
      case 'plain':
      case 'listener':
        if (!result.ok && !bystander) problems.push(`${label}: failed: ${String(error)}`)
        if (result.ok && made.kind === 'plain' && result.value !== made.value) {
          problems.push(`${label}: answered ${String(result.value)}`)
        }
        break
      case 'hostile-argument':
        if (result.ok && made.unsendable) problems.push(`${label}: was sent`)
        if (!result.ok && !made.unsendable && !bystander) {
          problems.push(`${label}: failed: ${String(error)}`)
        }
        break
      case 'hostile-result':
        if (result.ok !== (made.fate === 'ok') && !bystander) {
          problems.push(`${label}: ${result.ok ? 'resolved' : `failed: ${String(error)}`}`)
        }
        break
      case 'crashy':
        if (result.ok && result.value !== made.value * 2) problems.push(`${label}: wrong answer`)
        if (!result.ok && !crashed && !bystander)
          problems.push(`${label}: failed: ${String(error)}`)
        break
      case 'signal':
      case 'keyed':
        break
    }
  }
  for (const [i, control] of controls.entries()) {
    if (control.count() !== 1) problems.push(`control ${i}: settled ${control.count()} times`)
  }
  expect(syncThrows.map(String), `seed ${seed}: synchronous throws`).toEqual([])
  expect(problems, `seed ${seed}: ${problems.length} problem(s)`).toEqual([])
  // Exactly one span per call: none reported twice, none lost.
  expect(spans, `seed ${seed}: spans`).toBe(calls.length)
  expectDrained(task, `seed ${seed}: executor entries`)
  expect(task.getState()).toMatchObject({
    queueDepth: 0,
    pendingQueueDepth: 0,
    waitingQueueDepth: 0,
  })
  expect(task.getState().failed, `seed ${seed}: the task failed`).toBe(false)
  // The re-entrant listeners did act.
  expect(
    Math.min(listenerCalls, keyAborts, restarts),
    `seed ${seed}: ${JSON.stringify({ listenerCalls, keyAborts, restarts })}`,
  ).toBeGreaterThan(0)
  return calls.length
}

describe(`hostile soak: ${CALLS} calls (seed ${SEED})`, () => {
  test('restart-requeue-in-flight', async () => {
    expect(await soak('restart-requeue-in-flight', SEED)).toBeGreaterThanOrEqual(CALLS)
  }, 60_000)

  test('restart-fail-in-flight', async () => {
    expect(await soak('restart-fail-in-flight', SEED + 1)).toBeGreaterThanOrEqual(CALLS)
  }, 60_000)
})
