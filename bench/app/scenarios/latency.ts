/**
 * Sequential round trips: each call awaited before the next is made, so a call's cost is all
 * latency (main thread → worker → main thread). The floor is bare `postMessage`.
 *
 * A round is `calls` calls per contender, made in slices of `slice` calls with the contenders
 * taking turns slice by slice (`interleave`'s `slices`): a round trip's time here is mostly two
 * thread wake-ups, whose latency on a VM changes in spells lasting whole runs, and turns this
 * short put every contender through the same spells.
 *
 * Spells are not all that differs between contenders, though: each has its own two worker
 * threads, and how fast the OS wakes a thread depends on where it placed it. The calibration
 * row, a second copy of the floor, shows how much that alone moves a ratio. So Atelier is also
 * measured against the floor on the same two threads (`createSharedThreads`): the one comparison
 * where the only difference is the code a call runs. Both carry the 1.15× target.
 */

import {
  type Contender,
  createAtelier,
  createBare,
  createComlink,
  createPoolifier,
  createSharedThreads,
  createThreads,
  createWorkerpool,
  POOL_SIZE,
} from '../contenders'
import { type BenchResult, compare, interleave, type Samples, type Variant } from '../harness'

const FLOOR = 'bare postMessage'
const SHARED_FLOOR = 'bare, threads shared with Atelier'
const SHARED_ATELIER = 'Atelier, threads shared with bare'

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const calls = Number(params.get('calls') ?? 500)
  const slice = Number(params.get('slice') ?? 20)
  const rounds = Number(params.get('rounds') ?? 20)
  const slices = Math.max(1, Math.round(calls / slice))

  const shared = createSharedThreads(SHARED_FLOOR, SHARED_ATELIER)
  const contenders: Contender[] = [
    createBare(FLOOR),
    createBare('bare postMessage, 2nd copy'),
    createBare('bare, first idle worker', { ties: 'first' }),
    createComlink('comlink'),
    createAtelier('Atelier'),
    createWorkerpool('workerpool'),
    createPoolifier('poolifier'),
    createThreads('threads'),
    shared.bare,
    shared.atelier,
  ]
  try {
    await Promise.all(contenders.map((contender) => contender.start()))
    const variants: Variant[] = contenders.map((contender) => ({
      name: contender.name,
      async run() {
        let sum = 0
        const start = performance.now()
        for (let i = 0; i < slice; i++) sum += await contender.echo(i)
        const ms = performance.now() - start
        if (sum !== (slice * (slice - 1)) / 2) throw new Error(`${contender.name}: wrong echo`)
        return ms
      },
    }))
    const samples = await interleave(variants, { rounds, slices })
    const common = {
      // Round trips come in slow and fast spells; a round's contenders share its spell.
      ratio: 'paired',
      scale: (ms: number) => (ms * 1000) / (slices * slice),
      unit: 'µs/call',
    } as const
    const isShared = (name: string) => name === SHARED_FLOOR || name === SHARED_ATELIER
    return {
      scenario: 'latency',
      rounds,
      rows: [
        ...compare(
          pick(samples, (name) => !isShared(name)),
          {
            ...common,
            baseline: FLOOR,
            targets: { Atelier: 1.15 },
          },
        ),
        ...compare(pick(samples, isShared), {
          ...common,
          baseline: SHARED_FLOOR,
          targets: { [SHARED_ATELIER]: 1.15 },
        }).map((row) => ({ ...row, baseline: SHARED_FLOOR })),
      ],
      notes: [
        `${slices * slice} sequential calls of echo(i) per contender per round (each awaited before the next), in ${slices} slices of ${slice}, the contenders taking turns slice by slice; ${POOL_SIZE} workers per contender`,
        'bare and comlink alternate between their 2 workers (the one with fewer outstanding, ties alternating); Atelier: defaults (least-busy), spans off; peers: defaults',
        `ratios are to ${FLOOR}, except the last two rows: to ${SHARED_FLOOR}, which runs on the same 2 worker threads as ${SHARED_ATELIER} (workers/shared.worker.ts answers both)`,
      ],
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.dispose()))
  }
}

function pick(samples: Samples, keep: (name: string) => boolean): Samples {
  return new Map([...samples].filter(([name]) => keep(name)))
}
