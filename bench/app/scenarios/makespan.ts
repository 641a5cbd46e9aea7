/**
 * Scheduling of uneven CPU work: `tasks` tasks submitted at once to 2 workers, every 4th a long
 * one (a busy loop of `long` ms in the worker), the rest short (`short` ms). The figure is the
 * makespan (first submit to last result) over the ideal: the total nominal work split evenly
 * over the 2 workers. A scheduler that commits tasks to workers up front (round-robin, or least
 * busy by count when everything arrives at once) piles the long tasks on one worker; one that
 * hands a task to whichever worker frees up first stays near the ideal.
 */

import {
  type Contender,
  createAtelier,
  createBare,
  createComlink,
  createPoolifier,
  createThreads,
  createWorkerpool,
  POOL_SIZE,
} from '../contenders'
import { type BenchResult, compare, interleave, round, type Variant } from '../harness'

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const tasks = Number(params.get('tasks') ?? 48)
  const long = Number(params.get('long') ?? 60)
  const short = Number(params.get('short') ?? 8)
  const rounds = Number(params.get('rounds') ?? 3)

  const durations = Array.from({ length: tasks }, (_, i) => (i % 4 === 0 ? long : short))
  const ideal = durations.reduce((sum, ms) => sum + ms, 0) / POOL_SIZE

  const contenders: Contender[] = [
    createBare('bare postMessage'),
    createComlink('comlink'),
    createAtelier('Atelier, defaults'),
    createAtelier('Atelier least-busy', { maxQueueDepth: tasks }),
    createAtelier('Atelier round-robin', { balancer: 'round-robin', maxQueueDepth: tasks }),
    createAtelier(`Atelier least-busy, maxInFlight ${tasks}`, {
      maxInFlight: tasks,
      maxQueueDepth: tasks,
    }),
    createWorkerpool('workerpool'),
    createPoolifier('poolifier'),
    createThreads('threads'),
  ]
  try {
    await Promise.all(contenders.map((contender) => contender.start()))
    const variants: Variant[] = contenders.map((contender) => ({
      name: contender.name,
      async run() {
        const start = performance.now()
        const done = await Promise.all(durations.map((ms) => contender.spin(ms)))
        const ms = performance.now() - start
        if (done[0] !== durations[0]) throw new Error(`${contender.name}: wrong result`)
        return ms
      },
    }))
    const samples = await interleave(variants, { rounds })
    const rows = compare(samples, {
      baseline: 'ideal',
      baselineMs: ideal,
      scale: (ms) => ms,
      unit: 'ms',
      targets: { 'Atelier, defaults': 1.03, 'Atelier least-busy': 1.08 },
    })
    return {
      scenario: 'makespan',
      rounds,
      rows: [{ name: 'ideal', value: round(ideal), unit: 'ms', ratio: 1 }, ...rows],
      notes: [
        `${tasks} tasks at once on ${POOL_SIZE} workers: every 4th busy-loops ${long} ms, the others ${short} ms; ideal = ${durations.reduce((a, b) => a + b, 0)} ms of work / ${POOL_SIZE} workers = ${round(ideal)} ms`,
        'bare, comlink: each task posted at once to the worker with fewer outstanding (ties alternate), i.e. by hand, up front',
        `Atelier, defaults: no option but poolSize ${POOL_SIZE} (paced maxInFlight: one call per worker for calls this long; the rest held by block). Atelier least-busy and round-robin: the same with maxQueueDepth ${tasks}, the rest queued in the runtime. Peers: their defaults`,
      ],
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.dispose()))
  }
}
