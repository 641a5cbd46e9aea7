/** The most recent calls, newest first: what ran where, how long it waited and how it ended. */

import type { SpanEvent } from '../events.js'
import { h, setText } from './dom.js'
import { ms } from './format.js'
import { outcomeLabel, outcomeOfSpan } from './outcomes.js'

const COLUMNS = ['task', 'method', 'worker', 'wait', 'total', 'outcome'] as const

export class SpanList {
  readonly element: HTMLElement
  readonly #body = h('tbody')
  readonly #rows: HTMLTableRowElement[] = []
  readonly #empty = h('p', { class: 'lv-empty' }, 'No calls yet.')

  constructor(readonly size: number) {
    const head = h('tr', null, ...COLUMNS.map((c) => h('th', { scope: 'col' }, c)))
    this.element = h(
      'div',
      { class: 'lv-spans' },
      h('h3', { class: 'lv-subtitle' }, 'Recent calls'),
      h(
        'table',
        { class: 'lv-span-table', 'data-testid': 'lv-spans' },
        h('thead', null, head),
        this.#body,
      ),
      this.#empty,
    )
  }

  update(recent: readonly SpanEvent[]): void {
    const count = Math.min(this.size, recent.length)
    this.#empty.hidden = count > 0
    while (this.#rows.length < count) {
      const row = h('tr', null, ...COLUMNS.map(() => h('td')))
      this.#rows.push(row)
      this.#body.append(row)
    }
    for (let i = 0; i < this.#rows.length; i++) {
      const row = this.#rows[i]!
      const span = recent[recent.length - 1 - i]
      row.hidden = !span
      if (!span) continue
      const cells = row.cells
      setText(cells[0]!, span.taskName)
      setText(cells[1]!, span.method)
      setText(cells[2]!, span.workerIndex === undefined ? '–' : `W${span.workerIndex}`)
      setText(cells[3]!, span.queueWaitMs === undefined ? '–' : ms(span.queueWaitMs))
      setText(cells[4]!, ms(span.durationMs))
      const outcome = outcomeLabel(outcomeOfSpan(span))
      setText(
        cells[5]!,
        span.attemptCount > 1 ? `${outcome} (${span.attemptCount} tries)` : outcome,
      )
      cells[5]!.dataset.tone = span.status
      // The error itself, for whoever wants more than the outcome's word.
      const detail = span.error ? `${span.error.name}: ${span.error.message}` : ''
      if (cells[5]!.title !== detail) cells[5]!.title = detail
    }
  }
}
