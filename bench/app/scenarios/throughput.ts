/**
 * Pipelined tiny calls: what each library costs per call when it has plenty of work. Every run
 * issues `calls` calls of `echo(i)` at once and awaits them all; the figure is wall time over
 * calls. The floor is bare `postMessage` (a hand-written protocol) with the same 1000-call window
 * Atelier gets (`maxInFlight: 1000`); the other calls wait in a FIFO on the main thread. Atelier
 * runs twice: with that window (its calls coalesced: several per message), and with its defaults
 * (no options but the pool size: paced, at most 16 calls per worker, the rest held by `block`).
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
  const calls = Number(params.get('calls') ?? 5000)
  const rounds = Number(params.get('rounds') ?? 12)
  const inFlight = Number(params.get('inflight') ?? 1000)

  const contenders: Contender[] = [
    createBare('bare postMessage', { maxInFlight: inFlight }),
    createComlink('comlink'),
    createAtelier('Atelier', { maxInFlight: inFlight, maxQueueDepth: calls }),
    createAtelier('Atelier, defaults'),
    createWorkerpool('workerpool'),
    createPoolifier('poolifier'),
    createThreads('threads'),
  ]
  try {
    await Promise.all(contenders.map((contender) => contender.start()))
    const variants: Variant[] = contenders.map((contender) => ({
      name: contender.name,
      async run() {
        const pending: Array<Promise<number>> = new Array(calls)
        const start = performance.now()
        for (let i = 0; i < calls; i++) pending[i] = contender.echo(i)
        const values = await Promise.all(pending)
        const ms = performance.now() - start
        if (values[calls - 1] !== calls - 1) throw new Error(`${contender.name}: wrong echo`)
        return ms
      },
    }))
    const samples = await interleave(variants, { rounds })
    return {
      scenario: 'throughput',
      rounds,
      rows: compare(samples, {
        baseline: 'bare postMessage',
        scale: (ms) => (ms * 1000) / calls,
        unit: 'µs/call',
        targets: { Atelier: 0.6, 'Atelier, defaults': 1.5 },
      }),
      notes: [
        `${calls} calls of echo(i) per run, all issued at once; ${POOL_SIZE} workers per contender`,
        `bare: at most ${inFlight} posted at once, the rest in a FIFO; each call to the worker with fewer outstanding. comlink: everything posted at once, same choice by hand`,
        `Atelier: maxInFlight ${inFlight}, maxQueueDepth ${calls}, spans off. Atelier, defaults: no option but poolSize ${POOL_SIZE} (paced maxInFlight, maxQueueDepth ${2 * POOL_SIZE}, block). Peers: their defaults (workerpool, threads: one call per worker at a time; poolifier: posts at once, LEAST_USED)`,
      ],
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.dispose()))
  }
}
