/** Number formatting for the scenarios: the inspector's durations and timestamps, and rates and sizes. */
export * from 'atelier/src/inspector/format'

export function rate(count: number, elapsedMs: number): string {
  if (elapsedMs <= 0) return '0.0'
  return ((count * 1000) / elapsedMs).toFixed(1)
}

export function bytes(value: number): string {
  if (value >= 1 << 20) return `${(value / (1 << 20)).toFixed(1)} MB`
  if (value >= 1 << 10) return `${(value / (1 << 10)).toFixed(1)} KB`
  return `${value} B`
}
