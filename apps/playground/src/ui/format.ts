/** Number formatting for the scenarios. */

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

export function rate(count: number, elapsedMs: number): string {
  if (elapsedMs <= 0) return '0.0'
  return ((count * 1000) / elapsedMs).toFixed(1)
}

export function bytes(value: number): string {
  if (value >= 1 << 20) return `${(value / (1 << 20)).toFixed(1)} MB`
  if (value >= 1 << 10) return `${(value / (1 << 10)).toFixed(1)} KB`
  return `${value} B`
}
