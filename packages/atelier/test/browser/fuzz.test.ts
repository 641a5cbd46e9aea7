/**
 * Seeded fuzz (issue 11): hostile values thrown at arguments, results, keys, abort reasons and
 * options. For every case: the call settles within its bound (the task's `timeoutMs`; a
 * `TimeoutError` only for recipes meant to hang), the worker survives unless the value was meant
 * to kill it, options either work or throw a TypeError/RangeError naming the option, and no page
 * error escapes. Each test collects every failing case before asserting, so one run reports them
 * all, each with its label; rerun one with `VITE_FUZZ_SEED=<seed>` (or `random`).
 */
import { describe, expect, test } from 'vitest'
import {
  createTaskRuntime,
  type RuntimeEvent,
  type Task,
  type TaskConfig,
  TimeoutError,
  WorkerCrashedError,
} from '../../src/index'
import type { HostileAPI } from './fixtures/hostile.worker'
import {
  defineHostile,
  expectDrained,
  expectNoPageErrors,
  sleep,
  track,
  workerCounter,
} from './fixtures/hostile-define'
import {
  ACTING_KINDS,
  HOSTILE_KINDS,
  type HostileKind,
  type HostileMode,
  type Recipe,
  recipeFate,
} from './fixtures/hostile-kinds'
import {
  bufferThenWasmView,
  farSparse,
  type Hostile,
  hiddenDetachedImage,
  hostileValue,
  Random,
  resolveSeed,
} from './fixtures/hostile-values'

expectNoPageErrors()

const SEED = resolveSeed(import.meta.env.VITE_FUZZ_SEED, 0x5eed11)
/** Each test draws from its own stream, so one can be rerun alone with the same cases. */
const streamOf = (n: number) => new Random((SEED ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0)

/** Long enough for any answer on a loaded machine; a hang costs only this. */
const BOUND_MS = 1500

/** Collects failing cases; asserts once, listing them all with the seed. */
function problems() {
  const found: string[] = []
  return {
    add(label: string, what: string) {
      found.push(`${label}: ${what}`)
    },
    check(label: string, ok: boolean, what: string) {
      if (!ok) found.push(`${label}: ${what}`)
    },
    assertNone() {
      expect(found, `seed ${SEED}: ${found.length} failing case(s)`).toEqual([])
    },
  }
}

/** Makes a call, turning a synchronous throw into a recorded problem and a rejection. */
function callSafely(
  report: ReturnType<typeof problems>,
  label: string,
  make: () => Promise<unknown>,
): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  let promise: Promise<unknown>
  try {
    promise = make()
  } catch (error) {
    report.add(label, `threw synchronously: ${describeError(error)}`)
    return Promise.resolve({ ok: false, error })
  }
  // Boxed: a revoked Proxy cannot be a promise's value.
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
}

function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 160)}`
    return `non-Error ${Object.prototype.toString.call(error)}`
  } catch {
    return 'an unreadable value'
  }
}

/** Whether `error` is a TypeError/RangeError whose message names `option`. */
function namesOption(error: unknown, option: string): boolean {
  return (
    (error instanceof TypeError || error instanceof RangeError) &&
    new RegExp(`\\b${option}\\b`).test(error.message)
  )
}

describe(`fuzz (seed ${SEED}; VITE_FUZZ_SEED=${SEED} reruns it)`, () => {
  test('arguments: a call with any value settles, failing alone when the value cannot be sent', async () => {
    const random = streamOf(0)
    const report = problems()
    const { task, workers } = defineHostile({
      type: 'parallel',
      poolSize: 2,
      maxInFlight: 4,
      maxQueueDepth: 16,
      timeoutMs: BOUND_MS,
    })
    await task.startWorkers()
    let sent = 0
    let refused = 0
    for (let batch = 0; batch < 20; batch++) {
      // The first batch always holds the shapes that took a special case to get right.
      const specials = batch === 0 ? [bufferThenWasmView(), hiddenDetachedImage()] : []
      const cases = Array.from({ length: 8 }, (_, i) => ({
        hostile: specials[i] ?? hostileValue(random),
        // Second position half the time: the error must name the right argument.
        index: random.int(2),
        label: `arguments #${batch * 8 + i}`,
      }))
      const results = await Promise.all(
        cases.map(({ hostile, index, label }) =>
          callSafely(report, label, () =>
            index === 0 ? task.echo(hostile.value) : task.add(1, hostile.value as number),
          ),
        ),
      )
      for (const [i, result] of results.entries()) {
        const { hostile, index, label } = cases[i]!
        const name = `${label} ${hostile.label} at ${index}`
        if (hostile.unsendable) refused++
        else sent++
        if (result.ok) {
          report.check(name, !hostile.unsendable, 'was sent, though it cannot be')
          continue
        }
        const error = result.error
        if (!hostile.unsendable) {
          // add(1, x) may legitimately throw in the worker for a value that is not a number.
          if (index === 0) report.add(name, `failed: ${describeError(error)}`)
          continue
        }
        const message = error instanceof TypeError ? error.message : ''
        const method = index === 0 ? 'echo' : 'add'
        report.check(
          name,
          message.startsWith(`Argument ${index} of "${method}" `) ||
            /received this call empty/.test(message),
          `failed without naming the argument: ${describeError(error)}`,
        )
      }
    }
    // The generator gave both kinds in numbers.
    report.check(
      'arguments',
      sent >= 20 && refused >= 20,
      `only ${sent} sendable and ${refused} unsendable values`,
    )
    // Nothing killed or replaced a worker.
    const state = task.getState()
    report.check(
      'arguments',
      state.lastCrash === undefined,
      `a worker crashed: ${state.lastCrash?.error.message}`,
    )
    report.check('arguments', workers.created === 2, `${workers.created} workers were made, not 2`)
    report.assertNone()
    expectDrained(task)
  })

  test('results: whatever a handler returns or throws settles its call; only killers kill', async () => {
    const report = problems()
    const VALUE_KINDS = (Object.keys(HOSTILE_KINDS) as HostileKind[]).filter(
      (k) => !ACTING_KINDS.has(k),
    )
    const recipe = (random: Random, depth: number): Recipe => {
      if (depth <= 0 || random.chance(0.5)) return random.pick(VALUE_KINDS)
      const child = () => recipe(random, depth - 1)
      switch (random.pick(['array', 'object', 'map', 'set', 'box', 'nullproto'] as const)) {
        case 'array':
          return ['array', child(), child()]
        case 'object':
          return ['object', { a: child(), b: child() }]
        case 'map':
          return ['map', child(), child()]
        case 'set':
          return ['set', child()]
        case 'box':
          return ['box', child()]
        case 'nullproto':
          return ['nullproto', child()]
      }
    }
    const LANES = 4
    const PER_LANE = 30
    const lane = async (n: number) => {
      // A stream per lane: lanes interleave, and the cases must not depend on how.
      const random = streamOf(10 + n)
      const { task } = defineHostile({
        timeoutMs: BOUND_MS,
        // A hung handler's worker is replaced at once rather than holding the lane.
        cancelGraceMs: 0,
        crashMaxRetries: 1000,
      })
      for (let i = 0; i < PER_LANE; i++) {
        const acting = random.chance(0.08)
        const tree: Recipe = acting
          ? random.pick(['crash', 'close', 'close-soon', 'crash', 'close', 'hang'] as const)
          : recipe(random, 2)
        const mode: HostileMode = acting
          ? random.pick(['sync', 'async'] as const)
          : random.pick(['sync', 'async', 'throw', 'reject'] as const)
        const fate = mode === 'throw' || mode === 'reject' ? 'fails' : recipeFate(tree)
        const name = `results lane ${n} #${i} ${JSON.stringify(tree)} ${mode} (meant to ${fate === 'ok' ? 'resolve' : fate === 'fails' ? 'fail' : fate === 'kills' ? 'kill' : 'hang'})`
        const crashBefore = task.getState().lastCrash
        const result = await callSafely(report, name, () => task.makeTree(tree, mode))
        const crashed = task.getState().lastCrash !== crashBefore
        const error = result.ok ? undefined : result.error
        switch (fate) {
          case 'ok':
            report.check(name, result.ok, `failed: ${describeError(error)}`)
            break
          case 'fails':
            report.check(name, !result.ok, 'resolved')
            report.check(name, !(error instanceof TimeoutError), 'hung until timeoutMs')
            report.check(
              name,
              !(error instanceof WorkerCrashedError),
              `killed its worker: ${describeError(error)}`,
            )
            break
          case 'kills':
            report.check(
              name,
              error instanceof WorkerCrashedError,
              `did not fail as crashed: ${result.ok ? 'resolved' : describeError(error)}`,
            )
            break
          case 'hangs':
            report.check(
              name,
              error instanceof TimeoutError,
              `did not time out: ${result.ok ? 'resolved' : describeError(error)}`,
            )
            break
        }
        report.check(
          name,
          crashed === (fate === 'kills'),
          crashed ? 'the worker crashed' : 'no crash was recorded',
        )
      }
      // The lane's task still answers, with no more workers than its kills and hangs replaced.
      const last = await callSafely(report, `results lane ${n}`, () => task.add(1, 2))
      report.check(`results lane ${n}`, last.ok && last.value === 3, 'the task no longer answers')
    }
    await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n)))
    report.assertNone()
  })

  test('keys: with({ key }) takes strings and refuses the rest naming key; keyOf likewise, naming keyOf', async () => {
    const random = streamOf(2)
    const report = problems()
    let keyOfResult: unknown
    const { task } = defineHostile({ maxQueueDepth: 16, timeoutMs: BOUND_MS })
    const { task: keyed } = defineHostile({
      maxQueueDepth: 16,
      timeoutMs: BOUND_MS,
      keyOf: () => keyOfResult as string,
    })
    await Promise.all([task.startWorkers(), keyed.startWorkers()])
    const extras: Hostile[] = [
      { value: 'doc-1', label: '"doc-1"', unsendable: false },
      { value: '', label: '""', unsendable: false },
      { value: undefined, label: 'undefined', unsendable: false },
    ]
    const cases = [...extras, ...Array.from({ length: 60 }, () => hostileValue(random, 1))]
    for (const [i, hostile] of cases.entries()) {
      const name = `key #${i} ${hostile.label}`
      const isKey = typeof hostile.value === 'string' || hostile.value === undefined
      // with({ key })
      let view: Task<HostileAPI> | undefined
      try {
        view = task.with({ key: hostile.value as string })
        report.check(name, isKey, 'with() accepted it')
      } catch (error) {
        report.check(name, !isKey, `with() refused it: ${describeError(error)}`)
        if (!isKey)
          report.check(
            name,
            namesOption(error, 'key'),
            `with() threw without naming key: ${describeError(error)}`,
          )
      }
      if (view) {
        const result = await callSafely(report, name, () => view.add(1, 1))
        report.check(
          name,
          result.ok,
          `the call failed: ${result.ok || describeError(result.error)}`,
        )
      }
      // keyOf returning it. (null is taken as "no key" by the executor, though the docs of
      // keyOf say anything but a string or undefined fails the call.)
      keyOfResult = hostile.value
      const byKeyOf = isKey || hostile.value === null
      const result = await callSafely(report, `keyOf ${name}`, () => keyed.add(2, 2))
      if (byKeyOf)
        report.check(
          `keyOf ${name}`,
          result.ok,
          `failed: ${result.ok || describeError(result.error)}`,
        )
      else {
        report.check(`keyOf ${name}`, !result.ok, 'was accepted as a key')
        if (!result.ok)
          report.check(
            `keyOf ${name}`,
            namesOption(result.error, 'keyOf'),
            `failed without naming keyOf: ${describeError(result.error)}`,
          )
      }
    }
    report.check(
      'keys',
      task.getState().lastCrash === undefined && keyed.getState().lastCrash === undefined,
      'a worker crashed',
    )
    report.assertNone()
    expectDrained(task)
    expectDrained(keyed)
  })

  test('abort reasons: the call rejects with the very reason, at once, and its span is recorded', async () => {
    const random = streamOf(3)
    const report = problems()
    const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
    let spans = 0
    runtime.subscribeEvents((event: RuntimeEvent) => {
      if (event.kind === 'span') spans++
    })
    // A handler never told of its cancel is cut short after cancelGraceMs, which replaces its
    // worker: a new worker is how such a case shows, without holding up the next ones.
    const { task, workers } = defineHostile(
      { maxQueueDepth: 16, timeoutMs: BOUND_MS, cancelGraceMs: 200 },
      runtime,
    )
    await task.startWorkers()
    const cases = Array.from({ length: 60 }, () => hostileValue(random))
    // Always among them, wherever the seed puts them: one that exposes code visiting every index
    // of the reason (String() of it, say), and one that Chromium clones as an empty message.
    for (const special of [farSparse(), hiddenDetachedImage()]) {
      cases.splice(random.int(cases.length), 0, special)
    }
    for (const [i, hostile] of cases.entries()) {
      const name = `abort reason #${i} ${hostile.label}`
      const controller = new AbortController()
      const spansBefore = spans
      const workersBefore = workers.created
      const call = callSafely(report, name, () =>
        task.with({ signal: controller.signal }).sleep(10_000),
      )
      // Half are cancelled while queued, half once running in the worker.
      if (random.chance(0.5)) await sleep(5)
      const start = performance.now()
      try {
        controller.abort(hostile.value)
      } catch (error) {
        report.add(name, `abort() threw: ${describeError(error)}`)
      }
      const elapsed = performance.now() - start
      const result = await call
      report.check(name, spans === spansBefore + 1, `${spans - spansBefore} spans recorded`)
      // The worker was told, and its handler stopped: the next call runs on the same worker.
      const next = await callSafely(report, name, () => task.add(i, 1))
      report.check(
        name,
        next.ok && next.value === i + 1,
        `the next call failed: ${next.ok || describeError(next.error)}`,
      )
      report.check(
        name,
        workers.created === workersBefore,
        'the worker was not told of the cancel: its handler ran on until cancelGraceMs replaced it',
      )
      report.check(name, elapsed < BOUND_MS, `abort() took ${Math.round(elapsed)} ms`)
      report.check(
        name,
        !result.ok && Object.is(result.error, controller.signal.reason),
        result.ok ? 'resolved' : `rejected with another value: ${describeError(result.error)}`,
      )
    }
    const last = await callSafely(report, 'abort reasons', () => task.add(1, 2))
    report.check('abort reasons', last.ok && last.value === 3, 'the task no longer answers')
    report.check('abort reasons', task.getState().lastCrash === undefined, 'a worker crashed')
    report.assertNone()
  })

  test('options: defineTask and with() either work or throw naming the option', async () => {
    const random = streamOf(4)
    const report = problems()
    const revoked = () => {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      return proxy
    }
    const candidates: Array<[string, () => unknown]> = [
      ['undefined', () => undefined],
      ['null', () => null],
      ['true', () => true],
      ['"x"', () => 'x'],
      ['""', () => ''],
      ['0', () => 0],
      ['-1', () => -1],
      ['0.5', () => 0.5],
      ['1', () => 1],
      ['3', () => 3],
      ['2.5', () => 2.5],
      ['1e6', () => 1e6],
      ['2^31', () => 2 ** 31],
      ['2^31-1', () => 2 ** 31 - 1],
      ['MAX_SAFE_INTEGER', () => Number.MAX_SAFE_INTEGER],
      ['Infinity', () => Infinity],
      ['-Infinity', () => -Infinity],
      ['NaN', () => Number.NaN],
      ['10n', () => 10n],
      ['Symbol()', () => Symbol('option')],
      ['{}', () => ({})],
      ['[]', () => []],
      ['a function', () => () => 'k'],
      ['a revoked proxy', revoked],
      ['a null-prototype object', () => Object.create(null)],
      [
        'a throwing getter',
        () => ({
          get x(): never {
            throw new Error('fuzz getter threw')
          },
        }),
      ],
      [
        'an array Proxy whose get trap throws',
        () =>
          new Proxy([], {
            get() {
              throw new Error('fuzz array get trap threw')
            },
          }),
      ],
      [
        'an array whose element getter throws',
        () =>
          Object.defineProperty([], 0, {
            enumerable: true,
            get() {
              throw new Error('fuzz element getter threw')
            },
          }),
      ],
      ['an AbortSignal', () => new AbortController().signal],
      ['[an ArrayBuffer]', () => [new ArrayBuffer(8)]],
      ['["x"]', () => ['x']],
    ]
    const TASK_OPTIONS: Record<string, string[]> = {
      type: ['parallel', 'singleton'],
      init: ['lazy', 'eager'],
      poolSize: [],
      keyOf: [],
      timeoutMs: [],
      crashPolicy: ['restart-fail-in-flight', 'restart-requeue-in-flight', 'fail-task'],
      crashMaxRetries: [],
      taskName: [],
      taskId: [],
      maxInFlight: [],
      maxQueueDepth: [],
      queuePolicy: ['block', 'reject', 'drop-latest', 'drop-oldest'],
      balancer: ['least-busy', 'round-robin'],
      idleTimeoutMs: [],
      cancelGraceMs: [],
      connectTimeoutMs: [],
      timeOutMs: [],
      poolsize: [],
      retries: [],
    }
    const DISPATCH_OPTIONS = [
      'key',
      'signal',
      'trace',
      'transfer',
      'transferResult',
      'singal',
      'keys',
    ]

    // Every option with every candidate: most are refused at once, and accepted ones start no
    // worker (lazy); a seeded sample of the accepted ones also makes a call.
    for (const option of Object.keys(TASK_OPTIONS)) {
      const values: Array<[string, () => unknown]> = [
        ...TASK_OPTIONS[option]!.map((v): [string, () => unknown] => [JSON.stringify(v), () => v]),
        ...candidates,
      ]
      for (const [label, make] of values) {
        const name = `defineTask { ${option}: ${label} }`
        const runtime = createTaskRuntime()
        const workers = workerCounter()
        let task: Task<HostileAPI> | undefined
        try {
          task = track(
            runtime.defineTask<HostileAPI>({
              type: 'parallel',
              poolSize: 1,
              worker: workers.factory,
              [option]: make(),
            } as TaskConfig<HostileAPI>),
          )
        } catch (error) {
          report.check(
            name,
            namesOption(error, option),
            `threw without naming ${option}: ${describeError(error)}`,
          )
          report.check(name, workers.created === 0, 'a refused task spawned a worker')
          report.check(
            name,
            runtime.getRuntimeSnapshot().tasks.length === 0,
            'a refused task is in the snapshot',
          )
          continue
        }
        if (random.chance(0.15)) {
          const result = await callSafely(report, name, () => task.add(1, 2))
          // A timeout or connect timeout short enough to end the call is the option working.
          const short =
            (option === 'timeoutMs' || option === 'connectTimeoutMs') && label !== 'Infinity'
          if (!result.ok) {
            const error = result.error
            const excused =
              short && (error instanceof TimeoutError || error instanceof WorkerCrashedError)
            report.check(
              name,
              excused,
              `the task was accepted but its call failed: ${describeError(error)}`,
            )
          } else report.check(name, result.value === 3, 'the call answered wrongly')
        }
        try {
          task.getState()
          await task.dispose()
        } catch (error) {
          report.add(name, `getState() or dispose() threw: ${describeError(error)}`)
        }
        report.check(name, workers.alive() === 0, 'a Worker outlived dispose()')
      }
    }

    // Every per-call option with every candidate, on one task.
    const { task } = defineHostile({ timeoutMs: BOUND_MS })
    for (const option of DISPATCH_OPTIONS) {
      for (const [label, make] of candidates) {
        const name = `with { ${option}: ${label} }`
        let view: Task<HostileAPI> | undefined
        try {
          view = task.with({ [option]: make() })
        } catch (error) {
          report.check(
            name,
            namesOption(error, option) || /did you mean/.test(describeError(error)),
            `threw without naming ${option}: ${describeError(error)}`,
          )
          continue
        }
        const result = await callSafely(report, name, () => view.echo(new Uint8Array(4)))
        if (!result.ok) {
          report.check(name, !(result.error instanceof TimeoutError), 'hung until timeoutMs')
          report.check(
            name,
            namesOption(result.error, option),
            `with() accepted it, and the call failed without naming ${option}: ${describeError(result.error)}`,
          )
        }
      }
    }
    report.check('with()', task.getState().lastCrash === undefined, 'a worker crashed')
    report.assertNone()
  })
})
