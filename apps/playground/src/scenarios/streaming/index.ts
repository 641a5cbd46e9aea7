/**
 * Scenario 6: a worker filters a large picture tile by tile in an async generator, and the page
 * paints each tile as its chunk arrives. The stream's window bounds how far the worker runs ahead
 * of a slow page; Cancel (an abort signal, or leaving the loop) stops the worker between tiles
 * and runs its generator's `finally`. Beside it, a plain call reports progress.
 */

import { createTaskRuntime } from 'atelier'
import { mountInspector } from 'atelier/inspector'
import { button, numberField, selectField, stat } from '../../ui/controls'
import { frameScheduler, h, setText } from '../../ui/dom'
import { bytes, epochNow, ms } from '../../ui/format'
import { type Scenario, type ScenarioHandle, scenarioLayout, section } from '../scenario'
import { createPalettePanel } from './palette-panel'
import { createTileCanvas } from './tile-canvas'
import type { TilesAPI } from './tiles.worker'
import {
  FILTERS,
  FINALLY_CHANNEL,
  type Filter,
  type FinallyReport,
  IMAGE_HEIGHT,
  IMAGE_WIDTH,
  type Rect,
  tileRects,
} from './tiling'

export const streaming: Scenario = { id: 'streaming', label: 'Streaming', mount }

const TILE_SIZES = ['64', '128', '256'] as const
/** How the page can end a stream early: its call's signal, leaving its loop, leaving the tab. */
type CancelWay = 'signal' | 'break' | 'tab'
const POOL_SIZE = 2

/** One press of "Stream tiles", from the call to the worker's last word. */
interface Run {
  id: number
  rects: Rect[]
  window: number
  painted: number
  /** Tiles the worker says it has made (its `ctx.progress`), never fewer than painted. */
  produced: number
  peakAhead: number
  startedAt: number
  firstTileMs: number | undefined
  controller: AbortController
  /** How the page cancelled it, if it did (signal, break or tab), and when (epoch ms). */
  cancelled: { how: string; at: number; byBreak: boolean } | undefined
  /** Ends the consumer's delay early, on Cancel. */
  wake: (() => void) | undefined
  finallyReport: FinallyReport | undefined
}

function mount(panel: HTMLElement): ScenarioHandle {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const layout = scenarioLayout(panel, {
    title: 'Streaming',
    lede: `A worker filters a ${IMAGE_WIDTH}×${IMAGE_HEIGHT} picture tile by tile in an async generator. Each tile is a chunk of the TaskStream the call returns, its pixels transferred, not copied, and the page paints it as its for await loop takes it. The worker runs at most streamWindow tiles ahead of the loop: slow the page down and watch it wait. Abort the call's signal or break out of the loop, and the worker stops between tiles and runs its generator's finally. Below, a plain call reports its progress with ctx.progress.`,
  })
  // First, so it sees every event: metrics are only built while someone listens.
  mountInspector(runtime, { container: layout.live, title: 'Live view', windowMs: 6000 })
  const task = runtime.defineTask<TilesAPI>({
    type: 'parallel',
    taskName: 'tiles',
    poolSize: POOL_SIZE,
    init: 'eager',
    worker: () =>
      new Worker(new URL('./tiles.worker.ts', import.meta.url), { type: 'module', name: 'tiles' }),
  })
  // One scene per visit, so runs with different filters show the same picture.
  const seed = Math.floor(Math.random() * 1e9)
  const settings = {
    filter: 'blur' as Filter,
    tileSize: 128,
    window: 8,
    delayMs: 0,
  }
  let runs = 0
  /** The run streaming now, and the one before, whose numbers stay on screen. */
  let current: Run | undefined
  let lastRun: Run | undefined

  const filter = selectField({
    label: 'Filter',
    testid: 'st-filter',
    options: FILTERS,
    value: settings.filter,
    onChange: (value) => {
      settings.filter = value
    },
  })
  const tileSize = selectField({
    label: 'Tile (px)',
    testid: 'st-tile',
    options: TILE_SIZES,
    value: String(settings.tileSize) as (typeof TILE_SIZES)[number],
    onChange: (value) => {
      settings.tileSize = Number(value)
      if (!current) canvas.reset(tileRects(settings.tileSize))
    },
  })
  const windowField = numberField({
    label: 'streamWindow',
    testid: 'st-window',
    hint: 'tiles the worker may run ahead',
    value: settings.window,
    min: 1,
    max: 64,
    onChange: (value) => {
      settings.window = value
    },
  })
  const delayField = numberField({
    label: 'Consumer delay (ms)',
    testid: 'st-delay',
    hint: 'the page waits this long per tile',
    value: settings.delayMs,
    min: 0,
    max: 1000,
    step: 10,
    onChange: (value) => {
      settings.delayMs = value
    },
  })
  layout.controls.append(filter.element, tileSize.element, windowField.element, delayField.element)

  const start = button('Stream tiles', 'st-start', () => void stream(), 'primary')
  const abort = button('Abort signal', 'st-abort', () => cancelRun('signal'), 'danger')
  const stop = button('Break the loop', 'st-break', () => cancelRun('break'), 'danger')
  abort.disabled = true
  stop.disabled = true
  const palette = createPalettePanel(task, seed)
  const status = h('p', { class: 'status', role: 'status', 'data-testid': 'st-status' }, 'Ready.')
  layout.actions.append(start, abort, stop, palette.start, status)

  const painted = stat('tiles painted', 'st-painted', 'accent')
  const produced = stat('made by the worker', 'st-produced')
  const ahead = stat('ahead of the page', 'st-ahead')
  const peak = stat('most ahead', 'st-peak-ahead')
  const firstTile = stat('first tile after', 'st-first')
  const moved = stat('transferred', 'st-moved')
  const progress = h('progress', {
    class: 'progress',
    max: 1,
    value: 0,
    'aria-label': 'Stream progress',
  })
  const percent = h('span', { class: 'progress-percent', 'data-testid': 'st-percent' }, '0%')
  const canvas = createTileCanvas()
  const workerWord = h('p', { class: 'worker-word', 'data-testid': 'st-finally' })
  layout.main.append(
    section(
      'The stream',
      h(
        'div',
        { class: 'stats stream-stats' },
        painted.element,
        produced.element,
        ahead.element,
        peak.element,
        firstTile.element,
        moved.element,
      ),
      h('div', { class: 'progress-row' }, progress, percent),
      canvas.element,
      h(
        'ul',
        { class: 'page-legend tile-legend' },
        h('li', null, h('span', { class: 'tile-key', 'data-key': 'painted' }), 'painted'),
        h(
          'li',
          null,
          h('span', { class: 'tile-key', 'data-key': 'ahead' }),
          'made, waiting in the window',
        ),
        h('li', null, h('span', { class: 'tile-key', 'data-key': 'todo' }), 'not made yet'),
      ),
      workerWord,
      h(
        'p',
        { class: 'note', 'data-testid': 'st-window-note' },
        'Made by the worker counts what its generator reports with ctx.progress; ahead of the page is made minus painted. However slow the page, it never exceeds streamWindow: the worker’s next yield waits until the loop takes a tile.',
      ),
    ),
    palette.element,
  )
  canvas.reset(tileRects(settings.tileSize))

  // The worker's word on how its generator ended, which it sends after the call is over for us.
  const channel = new BroadcastChannel(FINALLY_CHANNEL)
  channel.onmessage = (event: MessageEvent<FinallyReport>) => {
    const run = current?.id === event.data.run ? current : lastRun
    if (run?.id !== event.data.run) return
    run.finallyReport = event.data
    run.produced = Math.max(run.produced, event.data.produced)
    render.schedule()
  }

  const render = frameScheduler(() => {
    const run = current ?? lastRun
    if (!run) return
    const total = run.rects.length
    painted.set(`${run.painted} / ${total}`)
    produced.set(run.produced)
    ahead.set(run.produced - run.painted)
    peak.set(`${run.peakAhead} / ${run.window}`)
    firstTile.set(run.firstTileMs === undefined ? '–' : ms(run.firstTileMs))
    moved.set(bytes(paintedBytes(run)))
    progress.max = total
    progress.value = run.painted
    setText(percent, `${Math.floor((run.painted / total) * 100)}%`)
    canvas.mark(current ? run.rects.slice(run.painted, run.produced) : [])
    setText(workerWord, describeFinally(run))
  })

  function paintedBytes(run: Run): number {
    let sum = 0
    for (let i = 0; i < run.painted; i++) sum += run.rects[i]!.width * run.rects[i]!.height * 4
    return sum
  }

  async function stream(): Promise<void> {
    const window = settings.window
    const run: Run = {
      id: ++runs,
      rects: tileRects(settings.tileSize),
      window,
      painted: 0,
      produced: 0,
      peakAhead: 0,
      startedAt: performance.now(),
      firstTileMs: undefined,
      controller: new AbortController(),
      cancelled: undefined,
      wake: undefined,
      finallyReport: undefined,
    }
    current = run
    setRunning(true)
    canvas.reset(run.rects)
    const total = run.rects.length
    const filterLabel = FILTERS.find((f) => f.value === settings.filter)!.label
    status.textContent = `Streaming ${total} tiles (${filterLabel}), streamWindow ${window}…`
    const noteAhead = () => {
      run.peakAhead = Math.max(run.peakAhead, run.produced - run.painted)
      render.schedule()
    }
    const tiles = task
      .with({
        signal: run.controller.signal,
        streamWindow: window,
        onProgress: (count) => {
          run.produced = Math.max(run.produced, Number(count))
          noteAhead()
        },
      })
      .tiles({ run: run.id, seed, filter: settings.filter, tileSize: settings.tileSize })
    try {
      for await (const tile of tiles) {
        run.firstTileMs ??= performance.now() - run.startedAt
        canvas.paint(tile)
        run.painted++
        // Painting proves it was made, whatever the last progress value said.
        run.produced = Math.max(run.produced, run.painted)
        noteAhead()
        if (settings.delayMs > 0 && !run.cancelled) await consumerDelay(run, settings.delayMs)
        // Leaving the loop cancels the call: the worker's signal aborts, its generator returns.
        if (run.cancelled?.byBreak) break
      }
      status.textContent = run.cancelled
        ? `Cancelled by ${run.cancelled.how} after ${run.painted} of ${total} tiles painted.`
        : `Done: ${total} tiles in ${ms(performance.now() - run.startedAt)}, the first after ${ms(run.firstTileMs ?? 0)}.`
    } catch (error) {
      status.textContent = run.cancelled
        ? `Cancelled by ${run.cancelled.how} after ${run.painted} of ${total} tiles painted: the loop ended with ${(error as Error).name}.`
        : `Failed: ${(error as Error).message}`
    } finally {
      lastRun = run
      current = undefined
      setRunning(false)
      render.schedule()
    }
  }

  function consumerDelay(run: Run, delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        run.wake = undefined
        resolve()
      }
      const timer = setTimeout(done, delayMs)
      run.wake = done
    })
  }

  function cancelRun(way: CancelWay): void {
    const run = current
    if (!run || run.cancelled) return
    const how =
      way === 'break'
        ? 'leaving the loop (break)'
        : way === 'tab'
          ? 'leaving the tab'
          : 'the abort signal'
    run.cancelled = { how, at: epochNow(), byBreak: way === 'break' }
    if (way !== 'break') {
      run.controller.abort(new DOMException(`Cancelled by ${how}`, 'AbortError'))
    }
    run.wake?.()
    abort.disabled = true
    stop.disabled = true
    status.textContent = `Cancelling by ${how}…`
  }

  function describeFinally(run: Run): string {
    const report = run.finallyReport
    const total = run.rects.length
    if (!report) return run.cancelled && !current ? 'Waiting for the worker’s word…' : ''
    if (!report.aborted) {
      return `The generator ran to its end: ${report.produced} of ${total} tiles, then its finally ran.`
    }
    const after = run.cancelled ? ` ${ms(report.at - run.cancelled.at)} after the cancel` : ''
    const unread = report.produced - run.painted
    return `The worker stopped after ${report.produced} of ${total} tiles; its generator’s finally ran${after}, with ctx.signal aborted (${report.reason ?? 'no reason'}).${unread > 0 ? ` The ${unread} made but not painted were dropped.` : ''}`
  }

  function setRunning(running: boolean): void {
    start.disabled = running
    abort.disabled = !running
    stop.disabled = !running
    for (const field of [filter.input, tileSize.input, windowField.input]) field.disabled = running
  }

  return {
    // A slow consumer can keep a stream open for minutes: it stops with the tab.
    pause: () => cancelRun('tab'),
  }
}
