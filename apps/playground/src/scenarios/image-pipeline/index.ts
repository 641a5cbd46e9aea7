/**
 * Scenario 1: a batch of generated images through four tasks, at most `parallelLimit` images in
 * the pipeline at once. Thumbnails appear in completion order; Stop aborts everything in flight.
 * The same batch can run on the main thread instead, with a frame meter that shows what that
 * costs the page, and every run lands in a table to compare.
 */

import { createTaskRuntime, parallelLimit } from 'atelier'
import { mountInspector } from 'atelier/inspector'
import { button, numberField, selectField, stat } from '../../ui/controls'
import { h } from '../../ui/dom'
import { bytes, ms, rate } from '../../ui/format'
import { createFrameMeter, type FrameStats } from '../../ui/frame-meter'
import { outcomeOfSpan } from '../../ui/outcomes'
import { type Scenario, scenarioLayout, section } from '../scenario'
import { createMainThreadPipeline } from './main-thread'
import {
  definePipeline,
  type Pipeline,
  SOURCE_HEIGHT,
  SOURCE_WIDTH,
  type Thumbnail,
} from './pipeline'
import type { SceneSpec } from './pixels'
import { thumbnailFigure } from './thumbnail'

export const imagePipeline: Scenario = {
  id: 'image-pipeline',
  label: 'Image pipeline',
  mount,
}

const BATCHES = ['12', '24', '48', '96'] as const
const MAX_RUNS = 8
const STAGES = new Set(['decode', 'resize', 'analyze', 'encode'])

type Where = 'workers' | 'main'

interface RunRecord {
  where: Where
  limit: number
  poolSize: number
  images: number
  elapsedMs: number
  stageMs: number
  frames: FrameStats
}

function mount(panel: HTMLElement): undefined {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const layout = scenarioLayout(panel, {
    title: 'Image pipeline',
    lede: `Each image is painted at ${SOURCE_WIDTH}×${SOURCE_HEIGHT} (decode), downscaled (resize) and measured (analyze) on parallel pools, then encoded to WebP by a single worker. parallelLimit keeps a bounded number of images in the pipeline; pixels move between workers as transferred buffers. Run the same batch on the main thread to see what the workers spare the page.`,
  })
  // First, so it sees every event: metrics are only built while someone listens.
  mountInspector(runtime, { container: layout.live, title: 'Live view', windowMs: 6000 })
  // As many images in flight as the device has cores: more only take turns on the same cores.
  const cores = navigator.hardwareConcurrency || 4
  const settings = {
    images: 24,
    limit: Math.min(24, Math.max(1, cores)),
    poolSize: Math.min(4, Math.max(1, cores)),
  }
  // Defined (and its workers started) up front, as an app would at start-up.
  let pipeline: Pipeline = definePipeline(runtime, settings.poolSize)
  let run: AbortController | undefined
  let released: Array<() => void> = []
  /** Stage time of the worker run in progress, added up from its spans. */
  let spanStageMs: number | undefined

  runtime.subscribeEvents((event) => {
    if (event.kind !== 'span' || spanStageMs === undefined) return
    if (!STAGES.has(event.taskName) || outcomeOfSpan(event) !== 'ok') return
    spanStageMs += event.durationMs - (event.queueWaitMs ?? 0)
  })

  const images = selectField({
    label: 'Images',
    testid: 'ip-images',
    options: BATCHES,
    value: String(settings.images) as (typeof BATCHES)[number],
    onChange: (value) => {
      settings.images = Number(value)
    },
  })
  const limit = numberField({
    label: 'parallelLimit',
    testid: 'ip-limit',
    hint: 'images in the pipeline at once',
    value: settings.limit,
    min: 1,
    max: 24,
    onChange: (value) => {
      settings.limit = value
    },
  })
  const pool = numberField({
    label: 'poolSize',
    testid: 'ip-pool',
    hint: 'workers per parallel stage',
    value: settings.poolSize,
    min: 1,
    max: 8,
    onChange: (value) => {
      settings.poolSize = value
    },
  })
  layout.controls.append(images.element, limit.element, pool.element)

  const start = button('Run on workers', 'ip-start', () => void runBatch('workers'), 'primary')
  const startMain = button(
    'Same batch on the main thread',
    'ip-start-main',
    () => void runBatch('main'),
  )
  const stop = button('Stop', 'ip-stop', () =>
    run?.abort(new DOMException('Stopped', 'AbortError')),
  )
  stop.disabled = true
  const status = h('p', { class: 'status', role: 'status', 'data-testid': 'ip-status' }, 'Ready.')
  layout.actions.append(start, startMain, stop, status)

  const meter = createFrameMeter()
  const done = stat('thumbnails', 'thumb-count', 'accent')
  const throughput = stat('images / s', 'ip-rate')
  const inFlight = stat('in flight', 'ip-in-flight')
  const encoded = stat('encoded', 'ip-bytes')
  const progress = h('progress', {
    class: 'progress',
    max: 1,
    value: 0,
    'aria-label': 'Batch progress',
  })
  const runsBody = h('tbody')
  const grid = h('div', { class: 'thumbs', 'data-testid': 'thumbs' })
  layout.main.append(
    section(
      'Main thread',
      meter.element,
      h(
        'p',
        { class: 'note' },
        'Drawn with requestAnimationFrame, the way the page itself repaints: while workers run the batch the dot glides; on the main thread each image blocks it for its whole decode, resize and analysis, and the page cannot repaint or answer a click.',
      ),
    ),
    section(
      'Throughput',
      h(
        'div',
        { class: 'stats' },
        done.element,
        throughput.element,
        inFlight.element,
        encoded.element,
      ),
      progress,
    ),
    section(
      'Runs, newest first',
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'lv-span-table runs-table', 'data-testid': 'ip-runs' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ...[
                ['ran on', ''],
                ['limit · pool', 'parallelLimit · poolSize'],
                ['time', ''],
                ['images/s', ''],
                [
                  'stage time / image',
                  'Decode, resize, analyze and encode times of one image, added up: from the spans on workers, measured around each stage on the main thread. It grows when more threads run than there are cores.',
                ],
                ['longest frame', 'The longest the page went without a frame during the run'],
                ['long tasks', 'Main-thread tasks over 50 ms during the run'],
              ].map(([label, title]) => h('th', { scope: 'col', title: title || null }, label)),
            ),
          ),
          runsBody,
        ),
      ),
      h(
        'p',
        { class: 'note', 'data-testid': 'ip-cores-note' },
        `This device reports ${cores} cores. More images in flight than cores cannot finish sooner: the threads take turns on the same cores, so each stage runs longer (see stage time / image), and the main thread, which shows the thumbnails, competes with them. So runs vary, and on a busy 2-core machine parallelLimit 1 with poolSize 1 can beat 6 with 2.`,
      ),
    ),
    section('Thumbnails, in completion order', grid),
  )

  async function runBatch(where: Where): Promise<void> {
    setRunning(true)
    if (where === 'workers') {
      if (pipeline.poolSize !== settings.poolSize) {
        await pipeline.dispose()
        pipeline = definePipeline(runtime, settings.poolSize)
      }
      // Up before the clock starts: the comparison is of the work, not of starting workers.
      status.textContent = 'Starting workers…'
      await pipeline.ready()
    }
    const onMain = where === 'main' ? createMainThreadPipeline() : undefined
    const process = onMain ? onMain.process : pipeline.process
    for (const release of released) release()
    released = []
    grid.replaceChildren()
    run = new AbortController()
    const { signal } = run

    const total = settings.images
    const batchSeed = Math.floor(Math.random() * 1e9)
    const specs = Array.from(
      { length: total },
      (_, i): SceneSpec => ({
        id: i + 1,
        seed: batchSeed + i * 7919,
        width: SOURCE_WIDTH,
        height: SOURCE_HEIGHT,
      }),
    )
    const started = performance.now()
    let finished = 0
    let running = 0
    const tick = () => {
      done.set(finished)
      inFlight.set(running)
      throughput.set(rate(finished, performance.now() - started))
      progress.max = total
      progress.value = finished
    }
    const ticker = setInterval(tick, 100)
    status.textContent = `Processing ${total} images, ${settings.limit} at a time, on ${where === 'main' ? 'the main thread' : 'workers'}…`
    spanStageMs = onMain ? undefined : 0
    const recording = meter.record()
    try {
      // The same parallelLimit either way: only where the stages run differs.
      const results = parallelLimit(
        specs,
        settings.limit,
        async (spec): Promise<Thumbnail> => {
          running++
          try {
            return await process(spec, signal)
          } finally {
            running--
          }
        },
        { signal },
      )
      for await (const thumb of results) {
        finished++
        const figure = thumbnailFigure(thumb)
        released.push(figure.release)
        grid.append(figure.element)
        encoded.set(bytes(thumb.totalBytes))
        tick()
      }
      const elapsedMs = performance.now() - started
      const frames = recording.stop()
      status.textContent = `Done: ${total} images in ${(elapsedMs / 1000).toFixed(2)} s on ${where === 'main' ? 'the main thread' : 'workers'}; longest frame ${ms(frames.longestFrameMs)}.`
      addRun({
        where,
        limit: settings.limit,
        poolSize: settings.poolSize,
        images: total,
        elapsedMs,
        stageMs: (onMain ? onMain.stageMs : (spanStageMs ?? 0)) / total,
        frames,
      })
    } catch (error) {
      recording.stop()
      status.textContent = signal.aborted
        ? `Stopped after ${finished} of ${total} images; the calls in flight were cancelled.`
        : `Failed: ${(error as Error).message}`
    } finally {
      spanStageMs = undefined
      clearInterval(ticker)
      tick()
      setRunning(false)
    }
  }

  /** Every finished run stays in the table (the last few), to compare the next one against. */
  function addRun(record: RunRecord): void {
    const { frames } = record
    const row = h(
      'tr',
      { 'data-where': record.where },
      h('td', null, record.where === 'main' ? 'main thread' : 'workers'),
      h(
        'td',
        null,
        record.where === 'main' ? `${record.limit} · –` : `${record.limit} · ${record.poolSize}`,
      ),
      h('td', null, ms(record.elapsedMs)),
      h('td', null, rate(record.images, record.elapsedMs)),
      h('td', null, ms(record.stageMs)),
      h(
        'td',
        { 'data-testid': 'run-longest-frame', 'data-ms': Math.round(frames.longestFrameMs) },
        ms(frames.longestFrameMs),
      ),
      h('td', null, frames.longTasks === undefined ? 'n/a' : String(frames.longTasks)),
    )
    runsBody.prepend(row)
    while (runsBody.rows.length > MAX_RUNS) runsBody.lastElementChild!.remove()
  }

  function setRunning(running: boolean): void {
    start.disabled = running
    startMain.disabled = running
    stop.disabled = !running
    for (const field of [images.input, limit.input, pool.input]) field.disabled = running
  }
}
