/**
 * `createLiveView(runtime, container)`: a framework-free dashboard for any Atelier runtime.
 * It subscribes to the runtime's snapshots and events, folds them into a model, and redraws at
 * most once per animation frame, only while it is on screen and something changed or moves.
 *
 * @example
 * const runtime = createTaskRuntime({ observability: { spans: 'on' } })
 * const view = createLiveView(runtime, document.querySelector('#live')!)
 * // later: view.dispose()
 */

import type { TaskRuntime } from 'atelier'
import './live-view.css'
import { frameScheduler, h } from './dom'
import { epochNow } from './format'
import { LiveModel } from './model'
import { labelsOfStatus } from './outcomes'
import { type Palette, readPalette } from './palette'
import { SpanList } from './span-list'
import { TaskCard } from './task-card'

export { axisTicks, drawLanes, type LaneBar, type LaneChart, lanesHeight, spanBar } from './lanes'
export {
  type CallOutcome,
  OUTCOME_ORDER,
  OUTCOMES,
  outcomeLabel,
  outcomeOfError,
  outcomeOfSpan,
} from './outcomes'
export { type Palette, readPalette } from './palette'

export interface LiveViewOptions {
  /** Heading shown above the tasks. @default 'Live view' */
  title?: string
  /** How much history the lanes show, in ms. @default 10_000 */
  windowMs?: number
  /** Rows in the recent calls table. @default 8 */
  recentSpans?: number
  /** At most one snapshot per this many ms. @default 100 */
  snapshotIntervalMs?: number
}

export interface LiveView {
  /** Forgets counters, spans and histories (the tasks stay). */
  reset(): void
  /** Unsubscribes from the runtime and removes the view. */
  dispose(): void
}

/** Lanes move continuously; redrawing them at 30 fps looks the same and costs half. */
const LANE_FRAME_MS = 33

export function createLiveView(
  runtime: Pick<TaskRuntime, 'subscribeEvents' | 'subscribeRuntimeSnapshot'>,
  container: HTMLElement,
  options: LiveViewOptions = {},
): LiveView {
  const {
    title = 'Live view',
    windowMs = 10_000,
    recentSpans = 8,
    snapshotIntervalMs = 100,
  } = options
  const model = new LiveModel(Math.max(recentSpans, 1))
  const cards = new Map<string, TaskCard>()
  const list = new SpanList(recentSpans)
  const taskList = h('div', { class: 'lv-task-list' })
  const root = h(
    'div',
    { class: 'live-view', 'data-testid': 'live-view' },
    h('div', { class: 'lv-head' }, h('h2', { class: 'lv-title' }, title), legend()),
    taskList,
    list.element,
  )
  container.append(root)

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

  // Hidden (a background tab, a collapsed panel): draw nothing, and catch up when shown again.
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
    reset() {
      model.reset()
      frames.schedule()
    },
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
