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

import { createPanel } from './inspector/panel.js'
import { adoptStyles } from './inspector/styles.js'
import { createView, type InspectableRuntime } from './inspector/view.js'

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
  if (
    typeof runtime?.subscribeEvents !== 'function' ||
    typeof runtime.subscribeRuntimeSnapshot !== 'function'
  ) {
    throw new TypeError('mountInspector: expected a runtime from createTaskRuntime()')
  }
  const { container, position = 'bottom-right', title = 'Atelier' } = options
  const floating = container === undefined
  // A selector that matched nothing must not quietly turn an embedded inspector into a floating one.
  if (!floating && typeof container?.append !== 'function') {
    throw new TypeError(`mountInspector: container must be an element, not ${String(container)}`)
  }
  if (floating) {
    if (!POSITIONS.includes(position)) {
      throw new RangeError(
        `mountInspector: position must be one of ${POSITIONS.join(', ')}, not ${String(position)}`,
      )
    }
    if (document.querySelector(`${TAG}[data-position="${position}"]`)) {
      throw new Error(
        `mountInspector: an inspector already floats at ${position}. Call its unmount() first, or give this one another position.`,
      )
    }
  }

  const host = document.createElement(TAG)
  host.dataset.mode = floating ? 'floating' : 'embedded'
  if (floating) host.dataset.position = position
  const shadow = host.attachShadow({ mode: 'open' })
  adoptStyles(shadow)
  const parent = floating ? createPanel(shadow, title, options.initiallyOpen ?? false).body : shadow
  ;(floating ? document.body : container).append(host)
  const view = createView(runtime, parent, {
    title,
    windowMs: options.windowMs ?? 10_000,
    recentCalls: options.recentCalls ?? 8,
    snapshotIntervalMs: options.snapshotIntervalMs ?? 100,
  })

  let mounted = true
  return () => {
    if (!mounted) return
    mounted = false
    view.dispose()
    host.remove()
  }
}
