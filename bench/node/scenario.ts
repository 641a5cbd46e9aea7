/**
 * The `node` scenario: Atelier on Node's `worker_threads` against a bare `postMessage` floor and
 * the Node pools (piscina, tinypool, workerpool), measured with the browser suite's harness
 * (interleaved rounds in a random order, ratios to the floor), in a Node process of its own.
 *
 * Two loads, measured apart, like the browser's `throughput` and `latency`:
 *
 * - `throughput`: `calls` calls of `echo(i)` issued at once, awaited together; best over best.
 * - `latency`: one call at a time, each awaited before the next, in slices taken in turns
 *   (`interleave`'s `slices`: a round trip is mostly two thread wake-ups, whose pace changes in
 *   spells); paired ratios, as spells make best over best a matter of luck.
 *
 * Each load has contenders of its own, every worker started and answering before its first
 * round, kept for all its rounds, and terminated after the last.
 */

import { type BenchResult, type BenchRow, compare, interleave, type Variant } from '../app/harness'
import type { NodeContender, NodeContenders } from './contender'

const POOL_SIZE = 2
const FLOOR = 'bare postMessage'
const TARGET = 1.3

export async function run(build: NodeContenders, params: URLSearchParams): Promise<BenchResult> {
  const rounds = Number(params.get('rounds') ?? 12)
  const calls = Number(params.get('calls') ?? 10_000)
  const inFlight = Number(params.get('inflight') ?? 1000)
  const sequential = Number(params.get('sequential') ?? 2000)
  const slice = Number(params.get('slice') ?? 20)
  const slices = Math.max(1, Math.round(sequential / slice))

  const throughputRows = await measure(
    [
      build.bare(FLOOR, POOL_SIZE, { maxInFlight: inFlight }),
      build.bare(`${FLOOR}, 2nd copy`, POOL_SIZE, { maxInFlight: inFlight }),
      build.atelier('Atelier', POOL_SIZE, { maxInFlight: inFlight, maxQueueDepth: calls }),
      build.piscina('piscina', POOL_SIZE),
      build.tinypool('tinypool', POOL_SIZE),
      build.workerpool('workerpool', POOL_SIZE),
    ],
    async (contender) => {
      const pending: Array<Promise<number>> = new Array(calls)
      const start = performance.now()
      for (let i = 0; i < calls; i++) pending[i] = contender.echo(i)
      const values = await Promise.all(pending)
      const ms = performance.now() - start
      if (values[calls - 1] !== calls - 1) throw new Error(`${contender.name}: wrong echo`)
      return ms
    },
    { label: 'throughput', rounds, slices: 1, calls, ratio: 'best' },
  )

  const latencyRows = await measure(
    [
      build.bare(FLOOR, POOL_SIZE),
      build.bare(`${FLOOR}, 2nd copy`, POOL_SIZE),
      build.atelier('Atelier', POOL_SIZE),
      build.piscina('piscina', POOL_SIZE),
      build.tinypool('tinypool', POOL_SIZE),
      build.workerpool('workerpool', POOL_SIZE),
    ],
    async (contender) => {
      let sum = 0
      const start = performance.now()
      for (let i = 0; i < slice; i++) sum += await contender.echo(i)
      const ms = performance.now() - start
      if (sum !== (slice * (slice - 1)) / 2) throw new Error(`${contender.name}: wrong echo`)
      return ms
    },
    { label: 'latency', rounds, slices, calls: slices * slice, ratio: 'paired' },
  )

  return {
    scenario: 'node',
    rounds,
    // The latency rows' ratios are not to the scenario's first row: say which row they are to.
    rows: [
      ...throughputRows,
      ...latencyRows.map((row) => ({ ...row, baseline: `latency: ${FLOOR}` })),
    ],
    notes: [
      `worker_threads; ${POOL_SIZE} workers per contender, started and answering before a load's first round, kept for all its rounds, terminated after its last; a load's contenders are its own`,
      `throughput: ${calls} calls of echo(i) per run, all issued at once; ratios best over best. bare: at most ${inFlight} posted at once, the rest in a FIFO, each call to the worker with fewer outstanding; Atelier: maxInFlight ${inFlight}, maxQueueDepth ${calls}, spans off`,
      `latency: ${slices * slice} sequential calls of echo(i) per contender per round, in ${slices} slices of ${slice} taken in turns; ratios paired. bare alternates between its 2 idle workers; Atelier: defaults (least-busy, maxInFlight ${POOL_SIZE}), spans off`,
      'piscina, tinypool, workerpool: their defaults (one call per worker at a time; piscina and tinypool wait for tasks with Atomics.wait in the worker)',
      `every ratio is to the load's own ${FLOOR}; the 2nd copy is the floor again, on threads of its own: how far it strays from 1.00× is what placement alone does to a ratio`,
    ],
  }
}

interface Load {
  label: string
  rounds: number
  slices: number
  /** Calls per contender per round. */
  calls: number
  ratio: 'best' | 'paired'
}

/** Starts the contenders, measures `work` on each in interleaved rounds, and disposes of them. */
async function measure(
  contenders: NodeContender[],
  work: (contender: NodeContender) => Promise<number>,
  load: Load,
): Promise<BenchRow[]> {
  const { label, rounds, slices, calls, ratio } = load
  const name = (contender: string) => `${label}: ${contender}`
  try {
    await Promise.all(contenders.map((contender) => contender.start()))
    const variants: Variant[] = contenders.map((contender) => ({
      name: name(contender.name),
      run: () => work(contender),
    }))
    const samples = await interleave(variants, { rounds, slices })
    const baseline = name(FLOOR)
    return compare(samples, {
      baseline,
      ratio,
      scale: (ms) => (ms * 1000) / calls,
      unit: 'µs/call',
      targets: { [name('Atelier')]: TARGET },
    })
  } finally {
    await Promise.all(contenders.map((contender) => contender.dispose()))
  }
}
