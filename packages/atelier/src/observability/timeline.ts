/**
 * Where spans and traces show in DevTools: drawn on tracks of their own in the Performance panel
 * (`console.timeStamp`), or kept as User Timing entries (`performance.measure`) that observers
 * and RUM tools can read. The two differ by an order of magnitude in cost: Chromium charges
 * 0.1–0.3 µs for a time stamp, and 4–5 µs for a measure with a `detail` (it clones the detail),
 * which is a fifth of a tiny call's whole cost. Both are made when the page is idle.
 */

import { describe } from '../describe.js'
import type { SpanStatus } from '../events.js'
import type { ObservabilityConfig } from '../options.js'

/** `'tracks'`: `console.timeStamp`. `'entries'`: `performance.measure`. `'off'`: neither. */
export type TimelineMode = 'tracks' | 'entries' | 'off'

export function resolveMeasures(value: ObservabilityConfig['measures']): TimelineMode {
  if (value === undefined || value === true || value === 'tracks') return 'tracks'
  if (value === 'entries') return 'entries'
  if (value === false) return 'off'
  throw new TypeError(
    `observability.measures must be true, false, "tracks" or "entries", received ${describe(value)}`,
  )
}

/** DevTools' palette for track entries, by how the call ended. */
export const TRACK_COLORS: Record<SpanStatus, string> = {
  ok: 'primary',
  error: 'error',
  canceled: 'warning',
}

type TimeStamp = (
  label: string,
  start: number,
  end: number,
  track: string,
  trackGroup: string,
  color: string,
) => void

/**
 * Draws a bar on a DevTools track with the extensibility form of `console.timeStamp` (Chrome
 * 136+): from `start` to `end` (performance.now() times) on `track` within `trackGroup`, soon
 * (when the page is idle, like measures). Elsewhere the extra arguments are ignored (a marker at
 * most, and only while profiling); a host without it draws nothing.
 */
export function drawOnTrack(
  label: string,
  start: number,
  end: number,
  track: string,
  trackGroup: string,
  status: SpanStatus,
): void {
  later(DRAW, label, start, end, track, trackGroup, TRACK_COLORS[status])
}

/**
 * At most this many measures of one name stay in the performance timeline. Each measure reaches
 * DevTools recordings and `PerformanceObserver`s when it is made, so clearing the timeline loses
 * nothing they show; without it, every span would stay in memory for the page's life.
 */
export const MAX_TIMELINE_MEASURES = 1000

// Per name, across runtimes: the timeline is the page's, not a runtime's.
const measuresSinceClear = new Map<string, number>()

/** A User Timing measure, made soon (when the page is idle), and bounded in the timeline. */
export function measure(name: string, start: number, end: number, detail: unknown): void {
  later(MEASURE, name, start, end, detail, undefined, undefined)
}

const DRAW = 0
const MEASURE = 1
/** Values per entry in {@link queued}: its kind, then six arguments. */
const STRIDE = 7
/** A page that never idles still gets its entries, a batch at a time, and holds few. */
const MAX_QUEUED = 1000

/**
 * Entries waiting to be drawn or measured, seven values each: a flat array, so queueing one
 * allocates nothing. Made when the page is idle: even the cheapest of them (`console.timeStamp`,
 * 0.1–0.3 µs) costs several µs of the round trip it follows once a DevTools client is attached,
 * and a measure clones its `detail`; on a busy page, that is time taken from the calls. Start
 * and end are explicit, so a late entry is drawn where it belongs.
 */
const queued: unknown[] = []
let flushQueued = false

type IdleScheduler = (callback: () => void, options: { timeout: number }) => unknown
const requestIdle = (globalThis as { requestIdleCallback?: IdleScheduler }).requestIdleCallback

function later(
  kind: typeof DRAW | typeof MEASURE,
  a: unknown,
  b: number,
  c: number,
  d: unknown,
  e: unknown,
  f: unknown,
): void {
  queued.push(kind, a, b, c, d, e, f)
  if (queued.length >= STRIDE * MAX_QUEUED) {
    flushMeasures()
    return
  }
  if (flushQueued) return
  flushQueued = true
  if (typeof requestIdle === 'function') requestIdle(flushMeasures, { timeout: 500 })
  else setTimeout(flushMeasures, 0)
}

/** Draws and makes every queued entry now. */
export function flushMeasures(): void {
  flushQueued = false
  const batch = queued.splice(0)
  // Read once per batch, so a console patched later (a test's spy, a logging tool) is the one used.
  const timeStamp = (console as { timeStamp?: unknown }).timeStamp as TimeStamp | undefined
  for (let i = 0; i < batch.length; i += STRIDE) {
    const start = batch[i + 2] as number
    const end = batch[i + 3] as number
    if (batch[i] === MEASURE) {
      record(batch[i + 1] as string, start, end, batch[i + 4])
    } else if (typeof timeStamp === 'function') {
      draw(timeStamp, batch, i, start, end)
    }
  }
}

function draw(timeStamp: TimeStamp, batch: unknown[], i: number, start: number, end: number) {
  try {
    timeStamp.call(
      console,
      batch[i + 1] as string,
      start,
      end,
      batch[i + 4] as string,
      batch[i + 5] as string,
      batch[i + 6] as string,
    )
  } catch {
    // Drawing is a convenience for DevTools; the event stream is the record.
  }
}

function record(name: string, start: number, end: number, detail: unknown): void {
  try {
    performance.measure(name, { start, end, detail })
  } catch {
    return
  }
  const count = (measuresSinceClear.get(name) ?? 0) + 1
  if (count < MAX_TIMELINE_MEASURES) {
    measuresSinceClear.set(name, count)
    return
  }
  measuresSinceClear.set(name, 0)
  // Clears every entry of this name: ours (names starting `atelier:`), cleared wholesale rather
  // than one at a time because the API has no per-entry removal.
  performance.clearMeasures(name)
}
