/**
 * The inspector's view of a runtime: it subscribes to the runtime's snapshots and events, folds
 * them into a model, and redraws at most once per animation frame, only while it is on screen
 * and something changed or moves. It reads nothing but the runtime's public API.
 */

import type { RuntimeEvent } from '../events.js'
import type { RuntimeSnapshot, SnapshotSubscriptionOptions } from '../task-state.js'
import { frameScheduler, h } from './dom.js'
import { epochNow } from './format.js'
import { LiveModel } from './model.js'
import { labelsOfStatus } from './outcomes.js'
import { type Palette, readPalette } from './palette.js'
import { SpanList } from './span-list.js'
import { TaskCard } from './task-card.js'

/** What the inspector needs of a runtime: its two streams. A `TaskRuntime` has both. */
export interface InspectableRuntime {
  subscribeEvents(listener: (event: RuntimeEvent) => void): () => void
  subscribeRuntimeSnapshot(
    listener: (snapshot: RuntimeSnapshot) => void,
    options?: SnapshotSubscriptionOptions,
  ): () => void
}

export interface ViewOptions {
  title: string
  windowMs: number
  recentCalls: number
  snapshotIntervalMs: number
}

export interface View {
  /** Unsubscribes from the runtime, stops drawing and removes the view. */
  dispose(): void
}

/** Lanes move continuously; redrawing them at 30 fps looks the same and costs half. */
const LANE_FRAME_MS = 33

export function createView(
  runtime: InspectableRuntime,
  parent: ParentNode,
  options: ViewOptions,
): View {
  const { title, windowMs, recentCalls, snapshotIntervalMs } = options
  const model = new LiveModel(Math.max(recentCalls, 1))
  const cards = new Map<string, TaskCard>()
  const list = new SpanList(recentCalls)
  const taskList = h('div', { class: 'lv-task-list' })
  const root = h(
    'div',
    { class: 'live-view', 'data-testid': 'live-view' },
    h('div', { class: 'lv-head' }, h('h2', { class: 'lv-title' }, title), legend()),
    taskList,
    list.element,
  )
  parent.append(root)

  let palette: Palette = readPalette(root)
  let visible = true
  let renderedVersion = -1
  let lastLaneDraw = 0

  const frames = frameScheduler(render)

  function render(frameTime: number): void {
    if (!visible || document.hidden) return
    const changed = model.version !== renderedVersion
    if (changed) {
      renderedVersion = model.version
      syncCards()
      for (const [taskId, card] of cards) card.update(model.tasks.get(taskId)!)
      list.update(model.recent)
    }
    if (!changed && frameTime - lastLaneDraw < LANE_FRAME_MS) {
      frames.schedule()
      return
    }
    lastLaneDraw = frameTime
    const now = epochNow()
    const from = now - windowMs
    model.trim(from)
    let moving = false
    for (const [taskId, card] of cards) {
      if (card.draw(model.tasks.get(taskId)!, from, now, palette)) moving = true
    }
    if (moving) frames.schedule()
  }

  /** Cards follow the snapshot's task order; tasks seen only through events wait for it. */
  function syncCards(): void {
    for (const [taskId, card] of cards) {
      if (!model.tasks.get(taskId)?.snapshot) {
        card.element.remove()
        cards.delete(taskId)
      }
    }
    for (const [taskId, task] of model.tasks) {
      if (!task.snapshot || cards.has(taskId)) continue
      const card = new TaskCard()
      cards.set(taskId, card)
      taskList.append(card.element)
    }
  }

  const unsubscribeEvents = runtime.subscribeEvents((event) => {
    model.applyEvent(event)
    frames.schedule()
  })
  const unsubscribeSnapshots = runtime.subscribeRuntimeSnapshot(
    (snapshot) => {
      model.applySnapshot(snapshot)
      frames.schedule()
    },
    { intervalMs: snapshotIntervalMs },
  )

  // Hidden (a collapsed panel, a background tab): draw nothing, and catch up when shown again.
  // The model keeps listening meanwhile, so the counts are whole when the view opens.
  const intersection = new IntersectionObserver((entries) => {
    visible = entries.some((entry) => entry.isIntersecting)
    if (visible) frames.schedule()
  })
  intersection.observe(root)
  const resize = new ResizeObserver(() => {
    palette = readPalette(root)
    renderedVersion = -1
    frames.schedule()
  })
  resize.observe(root)
  const onVisibility = () => frames.schedule()
  document.addEventListener('visibilitychange', onVisibility)

  return {
    dispose() {
      unsubscribeEvents()
      unsubscribeSnapshots()
      intersection.disconnect()
      resize.disconnect()
      document.removeEventListener('visibilitychange', onVisibility)
      frames.cancel()
      root.remove()
    },
  }
}

function legend(): HTMLElement {
  const item = (tone: string, label: string) =>
    h(
      'li',
      null,
      h('span', { class: 'lv-swatch', 'data-tone': tone, 'aria-hidden': 'true' }),
      label,
    )
  return h(
    'ul',
    { class: 'lv-legend', 'aria-label': 'Lane colours' },
    item('running', 'running'),
    item('ok', labelsOfStatus('ok')),
    item('canceled', labelsOfStatus('canceled')),
    item('error', labelsOfStatus('error')),
  )
}
