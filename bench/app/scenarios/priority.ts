/**
 * Priorities under load: a background batch saturates the pool (`batch` calls of `work` ms, all
 * queued at once on 2 workers) while user-blocking calls (`urgent` ms each) arrive every `every`
 * ms. Two variants of the same workload, interleaved: `priorities` (the batch `background`, the
 * arrivals `user-blocking`) and `FIFO` (everything at the default priority).
 *
 * Headlines: the user-blocking calls' queue wait at the 95th percentile, against one background
 * call's duration (the least any non-preemptive scheduler can promise: a worker must finish what
 * it runs), and the background batch's makespan against FIFO's (priorities reorder the work;
 * they must not add to it).
 */

import { createTaskRuntime, type SpanEvent } from '../../../packages/atelier/src/index'
import { POOL_SIZE } from '../contenders'
import { type BenchResult, interleave, round } from '../harness'
import type { AtelierAPI } from '../workers/atelier-handlers'

interface RunFigures {
  makespan: number
  waits: number[]
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const batch = Number(params.get('batch') ?? 60)
  const work = Number(params.get('work') ?? 20)
  const urgent = Number(params.get('urgent') ?? 2)
  const every = Number(params.get('every') ?? 25)
  const rounds = Number(params.get('rounds') ?? 6)

  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
  const waits = new Map<string, number[]>()
  runtime.subscribeEvents((event) => {
    if (event.kind !== 'span' || event.traceName === undefined) return
    const span = event as SpanEvent
    if (span.queueWaitMs !== undefined) waits.get(span.traceName!)?.push(span.queueWaitMs)
  })
  // One task for both variants: the same two workers, so only the order of the calls differs.
  const task = runtime.defineTask<AtelierAPI>({
    type: 'parallel',
    poolSize: POOL_SIZE,
    maxQueueDepth: batch * 4,
    worker: () =>
      new Worker(new URL('../workers/atelier.worker.ts', import.meta.url), { type: 'module' }),
  })
  const figures = new Map<string, RunFigures[]>([
    ['priorities', []],
    ['FIFO', []],
  ])

  try {
    await task.startWorkers()
    const variants = (['priorities', 'FIFO'] as const).map((name) => ({
      name,
      async run() {
        const prioritized = name === 'priorities'
        const background = task.with(prioritized ? { priority: 'background' } : {})
        const trace = runtime.createTrace(`${name}-urgent`)
        waits.set(trace.name!, [])
        const arrivals = task.with({ trace, ...(prioritized ? { priority: 'user-blocking' } : {}) })
        const start = performance.now()
        const calls = Array.from({ length: batch }, () => background.spin(work))
        // User-blocking calls arrive at a steady pace while the batch runs.
        const urgentCalls: Promise<unknown>[] = []
        const span = (batch * work) / POOL_SIZE
        for (let t = every; t < span; t += every) {
          await new Promise((resolve) => setTimeout(resolve, every))
          urgentCalls.push(arrivals.spin(urgent))
        }
        await Promise.all(calls)
        const makespan = performance.now() - start
        await Promise.all(urgentCalls)
        trace.end()
        figures.get(name)!.push({ makespan, waits: waits.get(trace.name!)! })
        return makespan
      },
    }))
    await interleave(variants, { rounds })

    const summary = (name: string) => {
      const runs = figures.get(name)!.slice(-rounds)
      const all = runs.flatMap((r) => r.waits).sort((a, b) => a - b)
      return {
        makespan: median(runs.map((r) => r.makespan)),
        p50: percentile(all, 50),
        p95: percentile(all, 95),
        samples: runs.map((r) => round(r.makespan)),
      }
    }
    const fifo = summary('FIFO')
    const prio = summary('priorities')
    return {
      scenario: 'priority',
      rounds,
      rows: [
        { name: 'one background call', value: work, unit: 'ms', ratio: 1 },
        {
          name: 'user-blocking wait p95, priorities',
          value: round(prio.p95),
          unit: 'ms',
          ratio: round(prio.p95 / work),
          baseline: 'one background call',
          target: { max: 1, of: 'one background call' },
        },
        {
          name: 'user-blocking wait p50, priorities',
          value: round(prio.p50),
          unit: 'ms',
          ratio: round(prio.p50 / work),
          baseline: 'one background call',
        },
        {
          name: 'user-blocking wait p95, FIFO',
          value: round(fifo.p95),
          unit: 'ms',
          ratio: round(fifo.p95 / work),
          baseline: 'one background call',
        },
        {
          name: 'user-blocking wait p50, FIFO',
          value: round(fifo.p50),
          unit: 'ms',
          ratio: round(fifo.p50 / work),
          baseline: 'one background call',
        },
        {
          name: 'background makespan, FIFO',
          value: round(fifo.makespan),
          unit: 'ms',
          ratio: 1,
          samples: fifo.samples,
        },
        {
          name: 'background makespan, priorities',
          value: round(prio.makespan),
          unit: 'ms',
          ratio: round(prio.makespan / fifo.makespan),
          baseline: 'background makespan, FIFO',
          target: { max: 1.05, of: 'background makespan, FIFO' },
          samples: prio.samples,
        },
      ],
      notes: [
        `${batch} background calls of ${work} ms queued at once on ${POOL_SIZE} workers; a ${urgent} ms user-blocking call every ${every} ms while they run`,
        'priorities: the batch with({ priority: "background" }), the arrivals with({ priority: "user-blocking" }); FIFO: both at the default priority; aging at its default (500 ms)',
        'waits from the spans (queueWaitMs: from the call to its dispatch), over every measured round; makespans: median over rounds',
      ],
    }
  } finally {
    await task.dispose()
  }
}
