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
 */

import {
  createTaskRuntime,
  type ObservabilityConfig,
  type Task,
} from '../../../packages/atelier/src/index'
import { instrumentRuntime } from '../../../packages/atelier/src/otel'
import { type BenchResult, compare, interleave, round, type Variant } from '../harness'
import { countingProviders } from '../otel-providers'
import type { EchoAPI } from '../workers/echo.worker'

const POOL_SIZE = 2

interface Setup {
  name: string
  observability: ObservabilityConfig
  listen: boolean
  /** Attach `atelier/otel` with the SDK's providers. */
  otel?: boolean
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
]

interface Load {
  /** Row prefix. */
  label: string
  maxInFlight: number
  /** Calls per slice, all issued at once. */
  calls: number
  /** Slices per round (see `interleave`): short turns put every variant through the same spells. */
  slices: number
}

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const rounds = Number(params.get('rounds') ?? 12)
  // The default configuration (maxInFlight = poolSize): each call waits on a round trip, as in
  // most apps. Pipelined: 1000 in flight, so the main thread is the bottleneck and every
  // microsecond of observability shows; the harshest case, not the common one.
  const loads: Load[] = [
    { label: 'default', maxInFlight: POOL_SIZE, calls: 100, slices: 10 },
    { label: 'pipelined', maxInFlight: 1000, calls: 2000, slices: 1 },
  ]
  const rows: BenchResult['rows'] = []
  const notes: string[] = []
  for (const load of loads) {
    const result = await measure(load, rounds)
    rows.push(...result.rows)
    notes.push(...result.notes)
  }
  return { scenario: 'observability', rounds, rows, notes }
}

async function measure(load: Load, rounds: number) {
  const { label, maxInFlight, calls, slices } = load
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
        const providers = countingProviders()
        unsubscribes.push(instrumentRuntime(runtime, providers), providers.shutdown)
      }
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
          const ms = performance.now() - start
          if (values[calls - 1] !== calls - 1) throw new Error(`${setup.name}: wrong echo`)
          if (setup.listen) eventsInRun = events - before
          return ms
        },
      })
    }
    // Every worker up and connected before anything is timed.
    await Promise.all(tasks.map((task) => task.startWorkers()))

    const samples = await interleave(variants, { rounds, slices })
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
        `${label}: ${calls * slices} calls of task.echo(i) per variant per round, ${calls} issued at once per slice; poolSize ${POOL_SIZE}, maxInFlight ${maxInFlight}`,
        `${label}: the listener received ${round(eventsInRun / calls)} events per call (1 span + metrics)`,
      ],
    }
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe()
    await Promise.all(tasks.map((task) => task.dispose()))
  }
}
