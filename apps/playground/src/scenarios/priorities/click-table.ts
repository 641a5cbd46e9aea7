/** The latest clicks, newest first: how many calls were ahead, how long it waited, and FIFO's figure. */

import { h, setText } from '../../ui/dom'
import { ms } from '../../ui/format'
import { outcomeLabel } from '../../ui/outcomes'
import type { Click } from './clicks'

const ROWS = 8

const COLUMNS = [
  ['click', ''],
  ['priority', ''],
  ['queued ahead', 'Calls waiting for a worker when it was made'],
  ['queue wait', 'From the call to its dispatch: the span’s queueWaitMs'],
  [
    'FIFO ≈',
    'What first come, first served would have made it wait: the calls queued ahead × the batch’s mean run time ÷ the 2 workers',
  ],
] as const

export function createClickTable() {
  const body = h('tbody')
  const rows = Array.from({ length: ROWS }, () => {
    const row = h('tr', { hidden: true }, ...COLUMNS.map(() => h('td')))
    body.append(row)
    return row
  })
  const empty = h('p', { class: 'lv-empty' }, 'No clicks yet.')
  const element = h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'lv-span-table click-table', 'data-testid': 'pr-clicks' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ...COLUMNS.map(([label, title]) =>
            h('th', { scope: 'col', title: title || null }, label),
          ),
        ),
      ),
      body,
    ),
    empty,
  )

  function update(clicks: readonly Click[]): void {
    empty.hidden = clicks.length > 0
    rows.forEach((row, i) => {
      const click = clicks[clicks.length - 1 - i]
      row.hidden = !click
      if (!click) return
      const [n, priority, ahead, wait, fifo] = row.cells as unknown as HTMLTableCellElement[]
      const waited = click.span?.queueWaitMs
      setText(n!, `#${click.n}`)
      setText(priority!, click.priority)
      setText(ahead!, click.ahead)
      // Still queued, ran (its wait), or never ran (how it ended instead).
      setText(
        wait!,
        waited !== undefined ? ms(waited) : click.outcome ? outcomeLabel(click.outcome) : 'queued…',
      )
      setText(fifo!, ms(click.fifoMs))
      row.dataset.priority = click.priority
      row.dataset.state = waited !== undefined ? 'ran' : click.outcome ? 'lost' : 'queued'
      row.dataset.waitMs = waited === undefined ? '' : String(waited)
      row.dataset.fifoMs = String(click.fifoMs)
      row.dataset.ahead = String(click.ahead)
    })
  }

  return { element, update }
}
