/** Restart delays after a crash: 100 ms, doubling per consecutive crash, capped at 2 s. */
export const BACKOFF_BASE_MS = 100
export const BACKOFF_MAX_MS = 2000

/** Delay before restarting after the `streak`-th consecutive crash (1-based). */
export function backoffDelay(streak: number): number {
  if (streak <= 1) return BACKOFF_BASE_MS
  // Past 5 doublings we are at the cap anyway; clamping the exponent keeps 2 ** n finite.
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(streak - 1, 16))
}
