/**
 * Sequential round trips: each call awaited before the next is made, so a call's cost is all
 * latency (main thread → worker → main thread). The floor is bare `postMessage`.
 *
 * A round is `calls` calls per contender, made in slices of `slice` calls with the contenders
 * taking turns slice by slice (`interleave`'s `slices`): a round trip's time here is mostly two
 * thread wake-ups, whose latency on a VM changes in spells lasting whole runs, and turns this
 * short put every contender through the same spells.
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
import { type BenchResult, compare, interleave, type Variant } from '../harness'

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const calls = Number(params.get('calls') ?? 500)
  const slice = Number(params.get('slice') ?? 20)
  const rounds = Number(params.get('rounds') ?? 20)
  const slices = Math.max(1, Math.round(calls / slice))

  const contenders: Contender[] = [
    createBare('bare postMessage'),
    createBare('bare, first idle worker', { ties: 'first' }),
    createComlink('comlink'),
    createAtelier('Atelier'),
    createWorkerpool('workerpool'),
    createPoolifier('poolifier'),
    createThreads('threads'),
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
    return {
      scenario: 'latency',
      rounds,
      rows: compare(samples, {
        baseline: 'bare postMessage',
        // Round trips come in slow and fast spells; a round's contenders share its spell.
        ratio: 'paired',
        scale: (ms) => (ms * 1000) / (slices * slice),
        unit: 'µs/call',
        targets: { Atelier: 1.15 },
      }),
      notes: [
        `${slices * slice} sequential calls of echo(i) per contender per round (each awaited before the next), in ${slices} slices of ${slice}, the contenders taking turns slice by slice; ${POOL_SIZE} workers per contender`,
        'bare and comlink alternate between their 2 workers (the one with fewer outstanding, ties alternating); Atelier: defaults (least-busy), spans off; peers: defaults',
      ],
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.dispose()))
  }
}
