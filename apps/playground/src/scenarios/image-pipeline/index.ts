/**
 * Scenario 1: a batch of generated images through four tasks, at most `parallelLimit` images in
 * the pipeline at once. Thumbnails appear in completion order; Stop aborts everything in flight.
 */

import { createTaskRuntime, parallelLimit } from 'atelier'
import { createLiveView } from '../../live-view'
import { button, numberField, selectField, stat } from '../../ui/controls'
import { h } from '../../ui/dom'
import { bytes, rate } from '../../ui/format'
import { type Scenario, scenarioLayout, section } from '../scenario'
import { definePipeline, type Pipeline, SOURCE_HEIGHT, SOURCE_WIDTH } from './pipeline'
import type { SceneSpec } from './pixels'
import { thumbnailFigure } from './thumbnail'

export const imagePipeline: Scenario = {
  id: 'image-pipeline',
  label: 'Image pipeline',
  mount,
}

const BATCHES = ['12', '24', '48', '96'] as const

function mount(panel: HTMLElement): undefined {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const layout = scenarioLayout(panel, {
    title: 'Image pipeline',
    lede: `Each image is painted at ${SOURCE_WIDTH}×${SOURCE_HEIGHT} (decode), downscaled (resize) and measured (analyze) on parallel pools, then encoded to WebP by a single worker. parallelLimit keeps a bounded number of images in the pipeline; pixels move between workers as transferred buffers.`,
  })
  // First, so it sees every event: metrics are only built while someone listens.
  createLiveView(runtime, layout.live, { windowMs: 6000 })
  const settings = {
    images: 24,
    limit: 6,
    poolSize: Math.min(4, Math.max(2, navigator.hardwareConcurrency || 4)),
  }
  let pipeline: Pipeline | undefined
  let run: AbortController | undefined
  let released: Array<() => void> = []

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

  const start = button('Run batch', 'ip-start', () => void runBatch(), 'primary')
  const stop = button('Stop', 'ip-stop', () =>
    run?.abort(new DOMException('Stopped', 'AbortError')),
  )
  stop.disabled = true
  const status = h('p', { class: 'status', role: 'status', 'data-testid': 'ip-status' }, 'Ready.')
  layout.actions.append(start, stop, status)

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
  const grid = h('div', { class: 'thumbs', 'data-testid': 'thumbs' })
  layout.main.append(
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
    section('Thumbnails, in completion order', grid),
  )

  async function runBatch(): Promise<void> {
    if (!pipeline || pipeline.poolSize !== settings.poolSize) {
      await pipeline?.dispose()
      pipeline = definePipeline(runtime, settings.poolSize)
    }
    const active = pipeline
    for (const release of released) release()
    released = []
    grid.replaceChildren()
    run = new AbortController()
    const { signal } = run
    setRunning(true)

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
    status.textContent = `Processing ${total} images, ${settings.limit} at a time…`
    try {
      const results = parallelLimit(
        specs,
        settings.limit,
        async (spec) => {
          running++
          try {
            return await active.process(spec, signal)
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
      const seconds = ((performance.now() - started) / 1000).toFixed(2)
      status.textContent = `Done: ${total} images in ${seconds} s.`
    } catch (error) {
      status.textContent = signal.aborted
        ? `Stopped after ${finished} of ${total} images; the calls in flight were cancelled.`
        : `Failed: ${(error as Error).message}`
    } finally {
      clearInterval(ticker)
      tick()
      setRunning(false)
    }
  }

  function setRunning(running: boolean): void {
    start.disabled = running
    stop.disabled = !running
    for (const field of [images.input, limit.input, pool.input]) field.disabled = running
  }
}
