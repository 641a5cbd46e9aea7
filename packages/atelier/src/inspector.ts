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

import { hasMethod } from './describe.js'
import { type InspectorOptions, resolveOptions } from './inspector/options.js'
import { createPanel } from './inspector/panel.js'
import { adoptStyles } from './inspector/styles.js'
import { createView, type InspectableRuntime } from './inspector/view.js'

export type { InspectorOptions, InspectorPosition } from './inspector/options.js'
export type { InspectableRuntime } from './inspector/view.js'

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
