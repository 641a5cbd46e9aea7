/**
 * The batch's last job was called with a `TaskController`'s signal. Promoting it calls
 * `controller.setPriority('user-blocking')`, and Atelier moves the waiting call up: it goes next.
 */

import { button } from '../../ui/controls'
import { h, setText } from '../../ui/dom'
import { ms } from '../../ui/format'
import { section } from '../scenario'
import { type Batch, POOL_SIZE } from './batch'
import { TaskController } from './task-controller'

export function createPromotePanel(onPromote: () => void) {
  const promote = button('Promote the last job', 'pr-promote', onPromote)
  promote.disabled = true
  const result = h('p', { class: 'status', role: 'status', 'data-testid': 'pr-promoted' }, '')
  const element = section(
    'TaskController: promote a waiting job',
    h(
      'p',
      { class: 'note promote-intro' },
      TaskController
        ? 'The last job is called with with({ signal: controller.signal }), where controller = new TaskController({ priority: "background" }), so it takes the signal’s priority. Promote calls controller.setPriority("user-blocking") while it waits, and it goes next. (controller.abort() would cancel it.)'
        : 'This browser has no TaskController (Chromium has it), so the last job cannot be promoted here: it waits its turn like the rest of the batch.',
    ),
    h('div', { class: 'promote-row' }, promote, result),
  )

  function update(batch: Batch | undefined): void {
    promote.disabled = !batch?.running || !batch.promotable || batch.promotion !== undefined
    setText(result, batch ? describe(batch) : '')
    const after = batch && startedAfterPromotion(batch)
    result.dataset.startedAfterMs = after === undefined ? '' : String(after)
  }

  return { element, update }
}

/** When the last job started, `Date.now()` scale, once its span is in and it ran. */
function startedAt(batch: Batch): number | undefined {
  const span = batch.lastSpan
  return span?.queueWaitMs === undefined ? undefined : span.ts + span.queueWaitMs
}

function startedAfterPromotion(batch: Batch): number | undefined {
  const started = startedAt(batch)
  if (started === undefined || !batch.promotion || started < batch.promotion.at) return undefined
  return started - batch.promotion.at
}

function describe(batch: Batch): string {
  const job = `job #${batch.size}`
  const { promotion, lastSpan } = batch
  const started = startedAt(batch)
  if (!promotion) {
    if (started !== undefined) {
      return `Not promoted: ${job} ran last, after waiting ${ms(lastSpan!.queueWaitMs!)}.`
    }
    return batch.running
      ? `The last job, ${job}, waits at the back of the batch.`
      : `The batch ended before ${job} ran.`
  }
  if (started === undefined) {
    return lastSpan
      ? `Promoted, but ${job} never ran: the batch was stopped.`
      : `Promoted ${job} with ${promotion.queued} other calls queued…`
  }
  if (started < promotion.at) return `${job} had already started: there was nothing to re-order.`
  // First come, first served, it would have waited for everything queued when it was promoted.
  const fifo = (promotion.queued * batch.meanRunMs) / POOL_SIZE
  return `Promoted ${job} with ${promotion.queued} other calls queued: it started ${ms(started - promotion.at)} after setPriority, where first come, first served would take ≈ ${ms(fifo)}.`
}
