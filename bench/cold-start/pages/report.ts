/**
 * How a cold-start page hands its figure to bench/cold-start/launch.mjs: one console line, read
 * from the console event. Nothing polls the page, so the driver runs no code in it while it loads.
 */

/** Reports the time from navigation start (a fresh page's `performance.now()` zero) to now. */
export function reportFirstResult(): void {
  console.log(`cold-start:${performance.now()}`)
}

export function reportFailure(error: unknown): void {
  console.log(`cold-start-error:${error instanceof Error ? (error.stack ?? error.message) : error}`)
}
