/**
 * The plain call beside the stream: `palette` answers once, with the picture's colours, and
 * reports how far it is on the way with `ctx.progress`, which arrives here through
 * `task.with({ onProgress })`. The swatches move as the k-means settles.
 */

import type { Task } from 'atelier'
import { button } from '../../ui/controls'
import { h, setText } from '../../ui/dom'
import { ms } from '../../ui/format'
import { section } from '../scenario'
import { PALETTE_ITERATIONS, PALETTE_SIZE, type Swatch } from './palette'
import type { PaletteProgress, TilesAPI } from './tiles.worker'
import { IMAGE_HEIGHT, IMAGE_WIDTH } from './tiling'

export function createPalettePanel(task: Task<TilesAPI>, seed: number) {
  const start = button('Extract palette', 'pal-start', () => void run())
  const progress = h('progress', {
    class: 'progress',
    max: 1,
    value: 0,
    'aria-label': 'Palette progress',
  })
  const percent = h('span', { class: 'progress-percent', 'data-testid': 'pal-percent' }, '0%')
  const cells = Array.from({ length: PALETTE_SIZE }, () =>
    h('li', { class: 'swatch' }, h('span', { class: 'swatch-colour' }), h('span', null, '')),
  )
  const reports = h('p', { class: 'note', 'data-testid': 'pal-reports' }, '')
  const status = h(
    'p',
    { class: 'status', role: 'status', 'data-testid': 'pal-status' },
    'Not run yet.',
  )
  const element = section(
    'Palette: one call, with progress',
    h(
      'p',
      { class: 'note palette-intro' },
      `A plain (non-generator) handler: k-means finds the ${PALETTE_SIZE} colours that best stand for all ${((IMAGE_WIDTH * IMAGE_HEIGHT) / 1e6).toFixed(1)} M pixels, in ${PALETTE_ITERATIONS} passes. It calls ctx.progress after every band of rows; the page gets each value through with({ onProgress }), in order and before the call's promise settles.`,
    ),
    h('div', { class: 'progress-row' }, progress, percent),
    h('ol', { class: 'swatches', 'data-testid': 'pal-swatches' }, ...cells),
    status,
    reports,
  )

  function show(swatches: readonly Swatch[]): void {
    swatches.forEach((swatch, i) => {
      const cell = cells[i]!
      const [r, g, b] = swatch.rgb
      ;(cell.firstChild as HTMLElement).style.background = `rgb(${r} ${g} ${b})`
      setText(cell.lastChild as HTMLElement, `${Math.round(swatch.share * 100)}%`)
    })
  }

  async function run(): Promise<void> {
    start.disabled = true
    let received = 0
    let reported = 0
    let done = 0
    const started = performance.now()
    status.textContent = 'Extracting…'
    reports.textContent = ''
    const onProgress = (value: unknown) => {
      const report = value as PaletteProgress
      received++
      reported = report.reported
      done = report.done
      progress.value = done
      setText(percent, `${Math.floor(done * 100)}%`)
      show(report.swatches)
    }
    try {
      const swatches = await task.with({ onProgress }).palette(seed)
      show(swatches)
      status.textContent = `Done in ${ms(performance.now() - started)}: the bar read ${Math.floor(done * 100)}% before the promise settled.`
      // The worker sends a value only once the page has taken the last; meanwhile it keeps the
      // latest. So a busy page receives fewer, never a backlog, and always the last.
      reports.textContent = `${received} progress values received of the ${reported} the worker reported; ${reported - received} were replaced by a later one while the page was busy.`
    } catch (error) {
      status.textContent = `Failed: ${(error as Error).message}`
    } finally {
      start.disabled = false
    }
  }

  return { element, start }
}
