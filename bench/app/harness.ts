/**
 * What every scenario shares: the result format `bench/run.mjs` reads, and the measuring loop.
 *
 * A scenario compares variants of one workload side by side in the same page. Each round runs
 * every variant once, in a fresh random order each time, so drift (thermal, GC, a noisy
 * neighbour on the machine) hits all variants alike; the first rounds are warm-up and are
 * discarded. The headline is a ratio to the baseline, never a bare time: best over best by
 * default, or (`ratio: 'paired'`) the median over rounds of each round's ratio, for workloads
 * whose runs are bimodal.
 */

import { shuffler } from './shuffler.mjs'
import { median, round } from './stats.mjs'

export { median, round }

export interface BenchTarget {
  /** The most this row's ratio may be… */
  max: number
  /** …to the row of this name. */
  of: string
}

export interface BenchRow {
  name: string
  /** Secondary figure (e.g. µs per call); the ratio is the headline. */
  value: number
  unit: string
  /** The ratio to the baseline measured in the same page run (see `CompareOptions.ratio`). */
  ratio?: number
  /** The row `ratio` is to, when it is not the scenario's first row. */
  baseline?: string
  target?: BenchTarget
  /** Every measured round (warm-up excluded), in `unit`, to judge the noise. */
  samples?: number[]
}

export interface BenchResult {
  scenario: string
  /** Measured rounds per variant (warm-up excluded). */
  rounds: number
  rows: BenchRow[]
  notes?: string[]
}

export interface Variant {
  name: string
  /** Runs the workload once and returns the time it took, in ms. */
  run(): Promise<number>
}

export interface InterleaveOptions {
  rounds: number
  /** Rounds run first and discarded. @default 1 */
  warmup?: number
  /** Called before every run, outside the timing. */
  beforeEach?: () => void | Promise<void>
  /**
   * Splits each round into this many slices: every variant runs once per slice, in an order
   * shuffled slice by slice, and a variant's time for the round is the sum over its slices. The
   * variants then alternate within milliseconds rather than whole runs apart, so a change of
   * the machine's pace (a thread's wake-up latency moves in spells) reaches them alike.
   * `settle()` and `beforeEach` run once per round. @default 1
   */
  slices?: number
}

/** ms per run, by variant name, warm-up excluded. */
export type Samples = Map<string, number[]>

declare global {
  /** Present when Chromium runs with `--js-flags=--expose-gc` (bench/run.mjs passes it). */
  var gc: (() => void) | undefined
}

/**
 * Puts every run on the same footing: no user-timing entries left over, a collected heap
 * (when the page may collect), and an empty task queue.
 */
export async function settle(): Promise<void> {
  performance.clearMeasures()
  performance.clearMarks()
  globalThis.gc?.()
  await new Promise((resolve) => setTimeout(resolve, 0))
}

export async function interleave(
  variants: Variant[],
  options: InterleaveOptions,
): Promise<Samples> {
  const { rounds, warmup = 1, beforeEach, slices = 1 } = options
  const samples: Samples = new Map(variants.map((v) => [v.name, []]))
  const shuffle = shuffler(variants.length)
  for (let round = 0; round < warmup + rounds; round++) {
    if (slices === 1) {
      for (const index of shuffle()) {
        const variant = variants[index]!
        await settle()
        await beforeEach?.()
        const ms = await variant.run()
        if (round >= warmup) samples.get(variant.name)!.push(ms)
      }
      continue
    }
    await settle()
    await beforeEach?.()
    const totals = new Array<number>(variants.length).fill(0)
    for (let slice = 0; slice < slices; slice++) {
      for (const index of shuffle()) totals[index]! += await variants[index]!.run()
    }
    if (round >= warmup) {
      for (let i = 0; i < variants.length; i++) samples.get(variants[i]!.name)!.push(totals[i]!)
    }
  }
  return samples
}

export interface CompareOptions {
  /** The variant every ratio is taken against (the row targets refer to). */
  baseline: string
  /**
   * A fixed time (ms) to take ratios against instead of a variant's best: `baseline` then names
   * a row the scenario adds itself (e.g. `ideal` for a makespan).
   */
  baselineMs?: number
  /** Converts a run's ms into the secondary figure (e.g. µs per call). */
  scale: (ms: number) => number
  unit: string
  /** Most ratio allowed, by variant name. */
  targets?: Record<string, number>
  /**
   * How a row's ratio is taken. `best`: its best run over the baseline's best run. `paired`:
   * the median, over rounds, of its run over the baseline's run in the same round. Use `paired`
   * where runs are bimodal (thread wake-ups on a VM come in slow and fast spells): a best-of
   * ratio then only says which variant caught a fast spell, while runs of one round share it.
   * @default 'best'
   */
  ratio?: 'best' | 'paired'
}

/** One row per variant: best time as the secondary figure, and its ratio to the baseline. */
export function compare(samples: Samples, options: CompareOptions): BenchRow[] {
  const best = (name: string) => Math.min(...(samples.get(name) ?? []))
  const baseline = options.baselineMs ?? best(options.baseline)
  if (!Number.isFinite(baseline)) throw new Error(`No samples for baseline "${options.baseline}"`)
  const baselineRuns = samples.get(options.baseline) ?? []
  const ratioOf = (name: string, runs: number[]) =>
    options.ratio === 'paired' && options.baselineMs === undefined
      ? pairedRatio(runs, baselineRuns)
      : best(name) / baseline
  return Array.from(samples, ([name, runs]) => {
    const row: BenchRow = {
      name,
      value: round(options.scale(best(name))),
      unit: options.unit,
      ratio: round(ratioOf(name, runs), 3),
      samples: runs.map((ms) => round(options.scale(ms))),
    }
    const max = options.targets?.[name]
    if (max !== undefined) row.target = { max, of: options.baseline }
    return row
  })
}

/** The median, over rounds, of a run's time over the baseline's run of the same round. */
export function pairedRatio(runs: number[], baselineRuns: number[]): number {
  return median(runs.map((ms, i) => ms / baselineRuns[i]!))
}
