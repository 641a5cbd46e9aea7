/**
 * How a cold-start page hands its figures to bench/cold-start/launch.mjs: one console line, read
 * from the console event. Nothing polls the page, so the driver runs no code in it while it loads.
 *
 * Besides the total (the first result, in ms since navigation start), each page reports where the
 * time went, every instant on the page's clock:
 * - `script`: its script's download ended (Resource Timing);
 * - `start`: its own code began (`first-statement.ts`): the script parsed and compiled;
 * - `spawn`: `new Worker` was called;
 * - `worker`: the worker's code began (the thread started, its module fetched and compiled);
 * - `handler`: the worker's handler ran (for Atelier: after its set-up and the handshake);
 * - `result`: the page had the result.
 */

/** What a worker's answer carries: its first statement and its handler, as absolute times. */
export type WorkerTimes = readonly [start: number, handler: number]

/** When this script's own code began, as `first-statement.ts` marked it. */
function firstStatement(): number {
  return performance.getEntriesByName('cold-start:first-statement')[0]?.startTime ?? Number.NaN
}

/** A worker's two instants, in ms on the shared clock (`timeOrigin` + `now()`), for its answer. */
export function workerTimes(): WorkerTimes {
  return [performance.timeOrigin + firstStatement(), performance.timeOrigin + performance.now()]
}

/** Reports the first result and the instants that led to it (see above). */
export function reportFirstResult(spawn: number, worker: WorkerTimes): void {
  const result = performance.now()
  const script = performance
    .getEntriesByType('resource')
    .find((entry) => entry.name.endsWith('.js') && !entry.name.includes('worker'))
  // The worker's clock started at its own origin: move its times onto the page's.
  const page = (absolute: number) => absolute - performance.timeOrigin
  const marks = {
    script: script ? (script as PerformanceResourceTiming).responseEnd : Number.NaN,
    start: firstStatement(),
    spawn,
    worker: page(worker[0]),
    handler: page(worker[1]),
    result,
  }
  console.log(`cold-start:${JSON.stringify(marks)}`)
}

export function reportFailure(error: unknown): void {
  console.log(`cold-start-error:${error instanceof Error ? (error.stack ?? error.message) : error}`)
}
