/** `mountInspector`'s options: their types, names and checks. */

import { describe, hasMethod } from '../describe.js'
import { MAX_TIMER_MS, readOptions } from '../options.js'

export type InspectorPosition = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left'

export interface InspectorOptions {
  /**
   * Embeds the view in this element, always open, instead of floating it over the page behind a
   * toggle button.
   */
  container?: HTMLElement
  /** The corner the floating panel sits in. @default 'bottom-right' */
  position?: InspectorPosition
  /** Whether the floating panel starts open. @default false */
  initiallyOpen?: boolean
  /** The panel's heading, and the toggle button's label. @default 'Atelier' */
  title?: string
  /** How much history the worker lanes show, in ms. @default 10_000 */
  windowMs?: number
  /** Rows in the recent calls table. @default 8 */
  recentCalls?: number
  /** At most one snapshot per this many ms. @default 100 */
  snapshotIntervalMs?: number
}

const POSITIONS: readonly InspectorPosition[] = [
  'bottom-right',
  'bottom-left',
  'top-right',
  'top-left',
]

/** Every option's name: anything else is refused. */
export const INSPECTOR_OPTIONS: ReadonlySet<string> = new Set([
  'container',
  'position',
  'initiallyOpen',
  'title',
  'windowMs',
  'recentCalls',
  'snapshotIntervalMs',
] satisfies Array<keyof InspectorOptions>)

/** The most rows the recent calls table takes: each is a row of the DOM, kept up to date. */
const MAX_RECENT_CALLS = 1000

/**
 * Every option checked, defaults filled in, before the inspector touches the page or the runtime:
 * a bad one throws naming itself and leaves nothing behind. Read once, so a getter runs here only.
 */
export function resolveOptions(given: InspectorOptions) {
  if (given === null || typeof given !== 'object') {
    throw new TypeError(`mountInspector: options must be an object, received ${describe(given)}`)
  }
  const options = readOptions('mountInspector', given, INSPECTOR_OPTIONS) as InspectorOptions
  const {
    container,
    position = 'bottom-right',
    initiallyOpen = false,
    title = 'Atelier',
    windowMs = 10_000,
    recentCalls = 8,
    snapshotIntervalMs = 100,
  } = options
  const bad = (name: string, expected: string, value: unknown, type = TypeError): never => {
    throw new type(`mountInspector: ${name} must be ${expected}, received ${describe(value)}`)
  }
  // A selector that matched nothing must not quietly turn an embedded inspector into a floating one.
  if (container !== undefined && !hasMethod(container, 'append')) {
    bad('container', 'an element', container)
  }
  if (!POSITIONS.includes(position)) {
    bad('position', `one of ${POSITIONS.join(', ')}`, position, RangeError)
  }
  if (typeof initiallyOpen !== 'boolean') bad('initiallyOpen', 'a boolean', initiallyOpen)
  if (typeof title !== 'string') bad('title', 'a string', title)
  if (typeof windowMs !== 'number' || !(windowMs > 0) || windowMs > MAX_TIMER_MS) {
    bad(
      'windowMs',
      `a number of milliseconds above 0, at most ${MAX_TIMER_MS}`,
      windowMs,
      RangeError,
    )
  }
  if (!Number.isInteger(recentCalls) || recentCalls < 0 || recentCalls > MAX_RECENT_CALLS) {
    bad('recentCalls', `an integer from 0 to ${MAX_RECENT_CALLS}`, recentCalls, RangeError)
  }
  if (
    typeof snapshotIntervalMs !== 'number' ||
    !(snapshotIntervalMs >= 0) ||
    snapshotIntervalMs > MAX_TIMER_MS
  ) {
    bad(
      'snapshotIntervalMs',
      `a number of milliseconds from 0 to ${MAX_TIMER_MS}`,
      snapshotIntervalMs,
      RangeError,
    )
  }
  return { container, position, initiallyOpen, title, windowMs, recentCalls, snapshotIntervalMs }
}
