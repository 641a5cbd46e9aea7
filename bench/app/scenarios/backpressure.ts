/**
 * What a runtime keeps alive when callers produce faster than the workers consume: `calls` calls,
 * each with a fresh 1 MiB ArrayBuffer (transferred to the worker, which holds it until its next
 * macrotask and answers with a number), made in one loop under Atelier's `queuePolicy: 'block'`
 * (poolSize 2, maxInFlight 2, maxQueueDepth 4).
 *
 * `block` bounds what the runtime accepts (pending + in flight ≤ maxInFlight + maxQueueDepth);
 * a call beyond that waits, and a waiting call keeps its arguments. So the producer creates each
 * payload lazily: it makes the next call at once unless a call is already waiting, in which case
 * it awaits the next settlement first. No other await: everything the runtime accepts, it gets
 * as fast as it takes it.
 *
 * Measured:
 * - held by the runtime: `pendingQueueDepth + queueDepth` from `task.getState()`, sampled after
 *   every call is made and on every settlement (the target: ≤ the bound);
 * - payloads alive: made and not yet settled (in the caller's hands, queued, in transit, or in a
 *   worker), sampled likewise;
 * - held by one worker at once, as the workers report it;
 * - the JS heap (`performance.memory.usedJSHeapSize`), where the browser has it.
 *
 * For contrast, the same calls made all at once (payloads made up front) on Atelier and on
 * workerpool (which queues without bound), at a smaller count so the page stays within memory:
 * there nothing blocks the producer, and every payload is alive until its call settles.
 */

import { type Contender, createAtelier, createWorkerpool } from '../contenders'
import { type BenchResult, type BenchRow, round, settle } from '../harness'

const MiB = 1 << 20
const MAX_IN_FLIGHT = 2
const MAX_QUEUE_DEPTH = 4
const BOUND = MAX_IN_FLIGHT + MAX_QUEUE_DEPTH

interface Peaks {
  /** Held by the runtime (pending + in flight), or the library's own queue count. */
  held: number
  alive: number
  perWorker: number
  /** JS heap before the first call (garbage collected) and its peak during the calls. */
  heapStartMiB: number
  heapMiB: number
  ms: number
}

const heapMiB = (): number => {
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory
  return memory ? memory.usedJSHeapSize / MiB : Number.NaN
}

/**
 * Makes `calls` calls of `contender.hold(payload)` in one loop. With `blocked`, the loop makes
 * each payload only once no call is waiting (awaiting a settlement otherwise); without, it makes
 * them all at once. `held()` reads what the library itself holds.
 */
async function produce(
  contender: Contender,
  calls: number,
  held: () => number,
  blocked?: () => boolean,
): Promise<Peaks> {
  await settle()
  const heapStart = heapMiB()
  const peaks: Peaks = {
    held: 0,
    alive: 0,
    perWorker: 0,
    heapStartMiB: heapStart,
    heapMiB: heapStart,
    ms: 0,
  }
  let made = 0
  let settled = 0
  let wake: (() => void) | undefined
  const sample = () => {
    peaks.held = Math.max(peaks.held, held())
    peaks.alive = Math.max(peaks.alive, made - settled)
  }
  const onSettled = (perWorker: number) => {
    settled++
    peaks.perWorker = Math.max(peaks.perWorker, perWorker)
    sample()
    if (settled % 64 === 0) peaks.heapMiB = Math.max(peaks.heapMiB, heapMiB())
    const resume = wake
    wake = undefined
    resume?.()
  }
  const all: Array<Promise<void>> = []
  const start = performance.now()
  for (let i = 0; i < calls; i++) {
    while (blocked?.()) await new Promise<void>((resolve) => (wake = resolve))
    const payload = new ArrayBuffer(MiB)
    made++
    all.push(contender.hold(payload).then(onSettled))
    sample()
  }
  peaks.heapMiB = Math.max(peaks.heapMiB, heapMiB())
  await Promise.all(all)
  peaks.ms = performance.now() - start
  return peaks
}

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const calls = Number(params.get('calls') ?? 10_000)
  const eagerCalls = Number(params.get('eager') ?? 256)

  const config = {
    queuePolicy: 'block',
    maxInFlight: MAX_IN_FLIGHT,
    maxQueueDepth: MAX_QUEUE_DEPTH,
  } as const
  const lazy = createAtelier('Atelier', config)
  const eager = createAtelier('Atelier', config)
  const workerpool = createWorkerpool('workerpool')
  const contenders = [lazy, eager, workerpool]
  const inRuntime = (contender: typeof lazy) => () => {
    const state = contender.task.getState()
    return state.pendingQueueDepth + state.queueDepth
  }
  try {
    await Promise.all(contenders.map((contender) => contender.start()))

    const lazyPeaks = await produce(
      lazy,
      calls,
      inRuntime(lazy),
      () => lazy.task.getState().waitingQueueDepth > 0,
    )
    const eagerPeaks = await produce(eager, eagerCalls, inRuntime(eager))
    const poolPeaks = await produce(
      workerpool,
      eagerCalls,
      () => workerpool.pool.stats().pendingTasks + workerpool.pool.stats().activeTasks,
    )

    const row = (name: string, value: number, target = false): BenchRow => ({
      name,
      value,
      unit: 'payloads',
      ratio: round(value / BOUND, 3),
      ...(target ? { target: { max: 1, of: 'bound' } } : {}),
    })
    const lazyName = `Atelier block, ${calls} lazy`
    const eagerName = `Atelier block, ${eagerCalls} at once`
    const poolName = `workerpool, ${eagerCalls} at once`
    const heap = (peaks: Peaks) =>
      Number.isNaN(peaks.heapMiB)
        ? 'n/a'
        : `${round(peaks.heapStartMiB, 1)} MiB before, ${round(peaks.heapMiB, 1)} MiB at peak`
    const line = (name: string, peaks: Peaks, count: number) =>
      `${name}: ${round(peaks.ms)} ms (${round((peaks.ms * 1000) / count)} µs/call); at most ${peaks.perWorker} payload(s) in one worker at once; JS heap ${heap(peaks)}`
    return {
      scenario: 'backpressure',
      rounds: 1,
      rows: [
        { name: 'bound', value: BOUND, unit: 'payloads', ratio: 1 },
        row(`${lazyName}: held by runtime`, lazyPeaks.held, true),
        row(`${lazyName}: alive`, lazyPeaks.alive),
        row(`${eagerName}: held by runtime`, eagerPeaks.held, true),
        row(`${eagerName}: alive`, eagerPeaks.alive),
        row(`${poolName}: queued + running`, poolPeaks.held),
        row(`${poolName}: alive`, poolPeaks.alive),
      ],
      notes: [
        `1 MiB ArrayBuffer per call, transferred; Atelier: queuePolicy 'block', poolSize 2, maxInFlight ${MAX_IN_FLIGHT}, maxQueueDepth ${MAX_QUEUE_DEPTH}: bound = ${BOUND}`,
        `"held by runtime" = max of pendingQueueDepth + queueDepth (getState(), after each call and each settlement); "alive" = max of made − settled`,
        `"lazy": one loop, the next payload made unless a call is already waiting (then it awaits a settlement), so alive ≤ bound + 1 waiting caller`,
        `"at once": all ${eagerCalls} payloads made in one loop, no await; a waiting call keeps its payload until admitted. ${eagerCalls} rather than ${calls}: ${calls} MiB would not fit`,
        line(lazyName, lazyPeaks, calls),
        line(eagerName, eagerPeaks, eagerCalls),
        line(poolName, poolPeaks, eagerCalls),
      ],
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.dispose()))
  }
}
