/**
 * `atelier/inspector`: a runtime's live view as a drop-in panel for development. Framework-free,
 * in a shadow root (its CSS cannot meet the app's), and reading only the runtime's public
 * streams. `atelier` itself never imports this entry, so a bundle that does not carries none of it.
 * @example
 * import { mountInspector } from 'atelier/inspector'
 *
 * const runtime = createTaskRuntime()
 * if (import.meta.env.DEV) mountInspector(runtime)
 */

import { describe, hasMethod } from './describe.js'
import { createPanel } from './inspector/panel.js'
import { adoptStyles } from './inspector/styles.js'
import { createView, type InspectableRuntime } from './inspector/view.js'
import { MAX_TIMER_MS, readOptions } from './options.js'

export type { InspectableRuntime } from './inspector/view.js'

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

/** The host element's tag: no app styles it, and it needs no registration. */
const TAG = 'atelier-inspector'

/**
 * Shows `runtime`'s tasks, queues, workers, lanes of recent calls and their outcomes, live:
 * floating in a corner of the page behind a toggle button, or inside `options.container`.
 * Returns `unmount`, which unsubscribes from the runtime and removes every node the inspector
 * added; calling it again does nothing.
 *
 * One floating inspector per corner: mounting a second one where one already floats throws
 * (unmount the first, or give the second another `position`). Embedded ones have no limit.
 */
export function mountInspector(
  runtime: InspectableRuntime,
  options: InspectorOptions = {},
): () => void {
  if (!hasMethod(runtime, 'subscribeEvents') || !hasMethod(runtime, 'subscribeRuntimeSnapshot')) {
    throw new TypeError('mountInspector: expected a runtime from createTaskRuntime()')
  }
  const { container, position, title, initiallyOpen, windowMs, recentCalls, snapshotIntervalMs } =
    resolveOptions(options)
  const floating = container === undefined
  if (floating && document.querySelector(`${TAG}[data-position="${position}"]`)) {
    throw new Error(
      `mountInspector: an inspector already floats at ${position}. Call its unmount() first, or give this one another position.`,
    )
  }

  const host = document.createElement(TAG)
  host.dataset.mode = floating ? 'floating' : 'embedded'
  if (floating) host.dataset.position = position
  const shadow = host.attachShadow({ mode: 'open' })
  adoptStyles(shadow)
  const parent = floating ? createPanel(shadow, title, initiallyOpen).body : shadow
  ;(floating ? document.body : container).append(host)
  const view = createView(runtime, parent, { title, windowMs, recentCalls, snapshotIntervalMs })

  let mounted = true
  return () => {
    if (!mounted) return
    mounted = false
    view.dispose()
    host.remove()
  }
}

const OPTIONS: ReadonlySet<string> = new Set([
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
function resolveOptions(given: InspectorOptions) {
  if (given === null || typeof given !== 'object') {
    throw new TypeError(`mountInspector: options must be an object, received ${describe(given)}`)
  }
  const options = readOptions('mountInspector', given, OPTIONS) as InspectorOptions
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
