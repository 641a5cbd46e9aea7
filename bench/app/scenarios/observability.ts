/**
 * What observability costs a call: one tiny-task load (`task.echo(i)`, all issued at once,
 * pool of 2, maxInFlight 2, the rest queued) under three runtimes that differ only in
 * observability:
 * - spans off (the baseline),
 * - spans on with no event listener (spans are recorded, `performance.measure` included),
 * - spans on with a listener on `runtime.subscribeEvents` (spans plus metrics, delivered).
 * The listener does trivial work (counts events) so what is measured is the runtime's side.
 */

import {
  createTaskRuntime,
  type ObservabilityConfig,
  type Task,
} from '../../../packages/atelier/src/index'
import { type BenchResult, compare, interleave, round, type Variant } from '../harness'
import type { EchoAPI } from '../workers/echo.worker'

const POOL_SIZE = 2

interface Setup {
  name: string
  observability: ObservabilityConfig
  listen: boolean
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
]

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const calls = Number(params.get('calls') ?? 2000)
  const rounds = Number(params.get('rounds') ?? 20)
  const inFlight = Number(params.get('inflight') ?? 1000)

  const tasks: Array<Task<EchoAPI>> = []
  const unsubscribes: Array<() => void> = []
  let events = 0
  let eventsInRun = 0
  try {
    const variants: Variant[] = []
    for (const setup of SETUPS) {
      const runtime = createTaskRuntime({ observability: setup.observability })
      if (setup.listen) unsubscribes.push(runtime.subscribeEvents(() => events++))
      const task = runtime.defineTask<EchoAPI>({
        type: 'parallel',
        poolSize: POOL_SIZE,
        maxInFlight: inFlight,
        maxQueueDepth: calls,
        worker: () =>
          new Worker(new URL('../workers/echo.worker.ts', import.meta.url), { type: 'module' }),
      })
      tasks.push(task)
      variants.push({
        name: setup.name,
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

    const samples = await interleave(variants, { rounds })
    return {
      scenario: 'observability',
      rounds,
      rows: compare(samples, {
        baseline: 'spans off',
        scale: (ms) => (ms * 1000) / calls,
        unit: 'µs/call',
        targets: { 'spans on + listener': 1.1, 'spans on + listener, no measures': 1.1 },
      }),
      notes: [
        `${calls} calls of task.echo(i) per run, all issued at once; poolSize ${POOL_SIZE}, maxInFlight ${inFlight}, maxQueueDepth ${calls}`,
        `the listener received ${round(eventsInRun / calls)} events per call (1 span + metrics)`,
      ],
    }
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe()
    await Promise.all(tasks.map((task) => task.dispose()))
  }
}
