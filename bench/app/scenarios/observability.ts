/**
 * What observability costs a call: the same tiny-task load (`task.echo(i)`, pool of 2) under
 * runtimes that differ only in observability: spans off (the baseline); spans on with no event
 * listener (DevTools tracks included, the default); spans on with a listener on
 * `runtime.subscribeEvents` (spans plus metrics, delivered); the same with `measures: false`
 * and with `measures: 'entries'`; and `atelier/otel` attached to the real OpenTelemetry SDK
 * (batched span export and a metric reader, both to exporters that only count).
 * The listener does trivial work (counts events) so what is measured is the runtime's side.
 * Two loads: the default configuration (maxInFlight = poolSize, round-trip bound) and a
 * pipelined one (1000 in flight, main-thread bound: the harshest case).
 *
 * One more row, `spans off + the SDK's work by hand`, is the floor under `atelier/otel`: spans
 * off, and the caller itself makes, for each call, what the bridge asks of the SDK (one span with
 * the same attributes, started, given a status and ended; two histogram values with attribute
 * sets of the same size). No bridge can cost less than that.
 */

import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import {
  createTaskRuntime,
  type ObservabilityConfig,
  type Task,
} from '../../../packages/atelier/src/index'
import { flushMeasures } from '../../../packages/atelier/src/observability/timeline'
import { instrumentRuntime } from '../../../packages/atelier/src/otel'
import { type BenchResult, compare, interleave, pairedRatio, round, type Variant } from '../harness'
import { countingProviders } from '../otel-providers'
import type { EchoAPI } from '../workers/echo.worker'

const POOL_SIZE = 2

interface Setup {
  name: string
  observability: ObservabilityConfig
  listen: boolean
  /** Attach `atelier/otel` with the SDK's providers. */
  otel?: boolean
  /** Make, by hand, the SDK calls the bridge would make for each call (the bridge's floor). */
  sdkByHand?: boolean
}

const SETUPS: Setup[] = [
  { name: 'spans off', observability: { spans: 'off' }, listen: false },
  { name: 'spans on', observability: { spans: 'on' }, listen: false },
  { name: 'spans on + listener', observability: { spans: 'on' }, listen: true },
  {
    name: 'spans on + listener, no measures',
    observability: { spans: 'on', measures: false },
    listen: true,
  },
  {
    name: "spans on + listener, measures: 'entries'",
    observability: { spans: 'on', measures: 'entries' },
    listen: true,
  },
  { name: 'spans on + atelier/otel', observability: { spans: 'on' }, listen: false, otel: true },
  {
    name: "spans off + the SDK's work by hand",
    observability: { spans: 'off' },
    listen: false,
    sdkByHand: true,
  },
]

const OTEL_ROW = 'spans on + atelier/otel'
const FLOOR_ROW = "spans off + the SDK's work by hand"

interface Load {
  /** Row prefix. */
  label: string
  maxInFlight: number
  /** Calls per slice, all issued at once. */
  calls: number
  /** Slices per round (see `interleave`): short turns put every variant through the same spells. */
  slices: number
  /**
   * Rounds per round asked for, and warm-up rounds. A pipelined run lasts some 10 ms, so one
   * thread wake-up that comes late moves it by a tenth: it takes many more runs than the default
   * load's 100 ms rounds for its median to settle within the 10% the target is about.
   */
  roundsScale: number
  warmup: number
}

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const rounds = Number(params.get('rounds') ?? 12)
  // The default configuration (maxInFlight = poolSize): each call waits on a round trip, as in
  // most apps. Pipelined: 1000 in flight, so the main thread is the bottleneck and every
  // microsecond of observability shows; the harshest case, not the common one.
  const loads: Load[] = [
    { label: 'default', maxInFlight: POOL_SIZE, calls: 100, slices: 10, roundsScale: 1, warmup: 1 },
    { label: 'pipelined', maxInFlight: 1000, calls: 2000, slices: 1, roundsScale: 5, warmup: 3 },
  ]
  const rows: BenchResult['rows'] = []
  const notes: string[] = []
  for (const load of loads) {
    const result = await measure(load, rounds * load.roundsScale)
    rows.push(...result.rows)
    notes.push(...result.notes)
  }
  return { scenario: 'observability', rounds, rows, notes }
}

async function measure(load: Load, rounds: number) {
  const { label, maxInFlight, calls, slices, warmup } = load
  const tasks: Array<Task<EchoAPI>> = []
  const unsubscribes: Array<() => void> = []
  let events = 0
  let eventsInRun = 0
  try {
    const variants: Variant[] = []
    for (const setup of SETUPS) {
      const runtime = createTaskRuntime({ observability: setup.observability })
      if (setup.listen) unsubscribes.push(runtime.subscribeEvents(() => events++))
      if (setup.otel) {
        const { tracerProvider, meterProvider, shutdown } = countingProviders()
        unsubscribes.push(instrumentRuntime(runtime, { tracerProvider, meterProvider }), shutdown)
      }
      const sdkWork = setup.sdkByHand ? sdkWorkByHand(unsubscribes) : undefined
      const task = runtime.defineTask<EchoAPI>({
        type: 'parallel',
        poolSize: POOL_SIZE,
        maxInFlight,
        maxQueueDepth: calls,
        worker: () =>
          new Worker(new URL('../workers/echo.worker.ts', import.meta.url), { type: 'module' }),
      })
      tasks.push(task)
      variants.push({
        name: `${label}: ${setup.name}`,
        async run() {
          const before = events
          const pending: Array<Promise<unknown>> = new Array(calls)
          const start = performance.now()
          for (let i = 0; i < calls; i++) pending[i] = task.echo(i)
          const values = await Promise.all(pending)
          if (sdkWork) for (let i = 0; i < calls; i++) sdkWork(i)
          const ms = performance.now() - start
          if (values[calls - 1] !== calls - 1) throw new Error(`${setup.name}: wrong echo`)
          if (setup.listen) eventsInRun = events - before
          return ms
        },
      })
    }
    // Every worker up and connected before anything is timed.
    await Promise.all(tasks.map((task) => task.startWorkers()))

    // The DevTools bars of every runtime wait in one queue, drawn when the page is idle or a
    // thousand are waiting. Drawn before each run (untimed, as an app's idle time after a
    // burst), what one variant left is not drawn inside the next variant's run, which would
    // charge its bars to a variant that may draw none (spans off, `measures: false`).
    const samples = await interleave(variants, {
      rounds,
      slices,
      warmup,
      beforeEach: flushMeasures,
    })
    const overFloor = pairedRatio(
      samples.get(`${label}: ${OTEL_ROW}`) ?? [],
      samples.get(`${label}: ${FLOOR_ROW}`) ?? [],
    )
    return {
      rows: compare(samples, {
        baseline: `${label}: spans off`,
        // Round trips on a VM come in slow and fast spells; pair each run with the baseline's
        // run of the same round instead of comparing whichever caught a fast spell.
        ratio: 'paired',
        scale: (ms) => (ms * 1000) / (calls * slices),
        unit: 'µs/call',
        targets: {
          [`${label}: spans on + listener`]: 1.1,
          [`${label}: spans on + listener, no measures`]: 1.1,
          [`${label}: spans on + atelier/otel`]: 1.25,
        },
      }),
      notes: [
        `${label}: ${calls * slices} calls of task.echo(i) per variant per round, ${calls} issued at once per slice; poolSize ${POOL_SIZE}, maxInFlight ${maxInFlight}; ${rounds} rounds after ${warmup} of warm-up`,
        `${label}: the listener received ${round(eventsInRun / calls)} events per call (1 span + metrics)`,
        `${label}: atelier/otel over its floor (the SDK's work by hand), paired: ${round(overFloor)}×`,
      ],
    }
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe()
    await Promise.all(tasks.map((task) => task.dispose()))
  }
}

/**
 * What `atelier/otel` asks of the SDK for one call, made directly: a span with the attributes
 * the bridge sets on an `ok` call (12), its status, its end; a `queue.wait_ms` value (8
 * attributes) and a `task.duration_ms` value (5). Providers as in the `atelier/otel` row.
 */
function sdkWorkByHand(cleanups: Array<() => void>): (i: number) => void {
  const providers = countingProviders()
  cleanups.push(providers.shutdown)
  const tracer = providers.tracerProvider.getTracer('floor')
  const meter = providers.meterProvider.getMeter('floor')
  const queueWait = meter.createHistogram('queue.wait_ms', { unit: 'ms' })
  const duration = meter.createHistogram('task.duration_ms', { unit: 'ms' })
  const task = { 'task.id': 'task-1', 'task.type': 'parallel', 'task.name': 'echo' }
  const byWorker = [0, 1].map((worker) => ({
    task: Object.freeze({ ...task, 'task.method': 'echo', 'worker.index': worker }),
    queue: Object.freeze({
      ...task,
      'task.method': 'echo',
      'queue.policy': 'block',
      'queue.max_in_flight': 1000,
      'queue.max_depth': 2000,
      'worker.index': worker,
    }),
  }))
  return (i) => {
    const now = Date.now()
    const attrs = byWorker[i & 1]!
    const span = tracer.startSpan(
      'echo echo',
      {
        kind: SpanKind.INTERNAL,
        startTime: now - 0.05,
        attributes: {
          'atelier.task.id': 'task-1',
          'atelier.task.name': 'echo',
          'atelier.task.type': 'parallel',
          'atelier.method': 'echo',
          'atelier.call.id': String(i),
          'atelier.span.id': '0123456789abcdef',
          'atelier.attempt.count': 1,
          'atelier.priority': 'user-visible',
          'atelier.outcome': 'ok',
          'atelier.worker.index': i & 1,
          'atelier.queue.wait_ms': 0.01,
          'atelier.queue.wait_last_ms': 0.01,
        },
      },
      ROOT_CONTEXT,
    )
    span.setStatus({ code: SpanStatusCode.OK })
    span.end(now)
    queueWait.record(0.01, attrs.queue)
    duration.record(0.04, attrs.task)
  }
}
