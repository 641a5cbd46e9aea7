/**
 * The crash log, from the event stream: each `worker.crash.total` opens a row, and the next
 * `worker.spawn.total` for the same worker closes it with the measured restart delay (backoff).
 */

import { METRICS, type MetricEvent } from 'atelier'
import { h, setText } from '../../ui/dom'
import { ms } from '../../ui/format'

interface Row {
  worker: number
  at: number
  element: HTMLTableRowElement
  restarted: HTMLElement
}

const MAX_ROWS = 6
/** Atelier's longest restart delay. */
const BACKOFF_MAX_MS = 2000

export function createCrashLog(origin: number) {
  const body = h('tbody')
  const empty = h('p', { class: 'lv-empty' }, 'No crashes yet.')
  const element = h(
    'div',
    { class: 'crash-log' },
    h(
      'table',
      { class: 'lv-span-table', 'data-testid': 'crash-log' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'at'),
          h('th', { scope: 'col' }, 'worker'),
          h('th', { scope: 'col' }, 'restarted after (backoff)'),
        ),
      ),
      body,
    ),
    empty,
  )
  const open = new Map<number, Row>()

  function onMetric(metric: MetricEvent): void {
    const worker = metric.attrs.workerIndex
    if (worker === undefined) return
    if (metric.name === METRICS.workerCrashTotal) {
      const restarted = h('td', null, 'backing off…')
      const row = h(
        'tr',
        null,
        h('td', null, `${((metric.ts - origin) / 1000).toFixed(1)} s`),
        h('td', null, `W${worker}`),
        restarted,
      )
      body.prepend(row)
      while (body.rows.length > MAX_ROWS) body.lastElementChild!.remove()
      open.set(worker, { worker, at: metric.ts, element: row, restarted })
      empty.hidden = true
    } else if (metric.name === METRICS.workerSpawnTotal) {
      const row = open.get(worker)
      if (!row) return
      open.delete(worker)
      setText(row.restarted, ms(metric.ts - row.at))
    }
  }

  /** A crash with no restart well past the longest backoff: the task failed instead. */
  function tick(now: number): void {
    for (const row of open.values()) {
      if (now - row.at > BACKOFF_MAX_MS + 500) setText(row.restarted, 'not restarted: task failed')
    }
  }

  return { element, onMetric, tick }
}
