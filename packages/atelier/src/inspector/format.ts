/** Durations and timestamps as the inspector shows them. */

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–'
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`
}

/** `performance.now()` on the `Date.now()` scale, the scale of Atelier's event timestamps. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now()
}
