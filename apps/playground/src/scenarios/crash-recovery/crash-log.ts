/**
 * The crash log: what happened to the workers and the calls they held, newest first, kept until
 * Clear, so the evidence stays on screen while somebody reads it. Everything in it comes from
 * the runtime's event stream (crash, spawn and requeue metrics, and spans).
 *
 * A restart is labelled a backoff only when it is one: a spawn of a worker that crashed, made by
 * the runtime after its restart delay. The delay shown is the one Atelier applies (100 ms,
 * doubling per consecutive crash of that worker, at most 2 s), next to the delay measured
 * between the crash and the spawn. A spawn that `startWorkers()` made (Restart task) is not a
 * backoff, and says so.
 */

import type { SpanEvent } from 'atelier'
import { button } from '../../ui/controls'
import { h } from '../../ui/dom'
import { ms } from '../../ui/format'
import { outcomeLabel, outcomeOfSpan } from '../../ui/outcomes'

/** Atelier's documented restart delays (`backoff.ts`): 100 ms, doubling, capped at 2 s. */
const BACKOFF_BASE_MS = 100
const BACKOFF_MAX_MS = 2000
const MAX_ROWS = 60

export function backoffDelay(consecutiveCrashes: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, consecutiveCrashes - 1))
}

type Kind = 'crash' | 'backoff' | 'restart' | 'failed' | 'call' | 'note'

interface OpenCrash {
  ts: number
  row: HTMLTableRowElement
  requeued: number
  message: string
}

export function createCrashLog(origin: number) {
  const body = h('tbody')
  const empty = h('p', { class: 'lv-empty' }, 'No crashes yet.')
  const clear = button('Clear log', 'crash-log-clear', () => reset())
  const element = h(
    'div',
    { class: 'crash-log' },
    h(
      'div',
      { class: 'crash-log-head' },
      h('h4', null, 'Crash log'),
      h('span', { class: 'muted' }, 'newest first, kept until cleared'),
      clear,
    ),
    h(
      'div',
      { class: 'crash-log-scroll' },
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
            h('th', { scope: 'col' }, 'what happened'),
            h('th', { scope: 'col', title: 'The restart delay Atelier applied' }, 'backoff'),
            h('th', { scope: 'col', title: 'From the crash to the new worker' }, 'measured'),
          ),
        ),
        body,
      ),
    ),
    empty,
  )
  /** Crashes not yet followed by a spawn, by worker. */
  const open = new Map<number, OpenCrash>()
  /** The latest task failure, counting the calls refused while the task stays failed. */
  let failure: { row: HTMLTableRowElement; text: string; refused: number } | undefined
  /** Consecutive crashes per worker with no call answered in between: the backoff's exponent. */
  const streaks = new Map<number, number>()

  function add(
    kind: Kind,
    ts: number,
    worker: number | undefined,
    what: string,
    backoff = '',
    measured = '',
  ): HTMLTableRowElement {
    const row = h(
      'tr',
      { 'data-kind': kind, 'data-worker': worker ?? '' },
      h('td', null, `${((ts - origin) / 1000).toFixed(2)} s`),
      h('td', null, worker === undefined ? '' : `W${worker}`),
      h('td', { class: 'crash-log-what' }, what),
      h('td', { 'data-testid': 'crash-log-backoff' }, backoff),
      h('td', null, measured),
    )
    body.prepend(row)
    while (body.rows.length > MAX_ROWS) body.lastElementChild!.remove()
    empty.hidden = true
    return row
  }

  function describeCrash(crash: OpenCrash): string {
    const requeued =
      crash.requeued > 0 ? ` · ${crash.requeued} call${crash.requeued > 1 ? 's' : ''} requeued` : ''
    return `${outcomeLabel('crash')}: ${crash.message}${requeued}`
  }

  function reset(): void {
    body.replaceChildren()
    empty.hidden = false
    open.clear()
    failure = undefined
  }

  return {
    element,

    /** A worker died. */
    crashed(worker: number, ts: number, message: string): void {
      streaks.set(worker, (streaks.get(worker) ?? 0) + 1)
      const crash: OpenCrash = { ts, row: undefined!, requeued: 0, message }
      crash.row = add('crash', ts, worker, describeCrash(crash), 'backing off…')
      open.set(worker, crash)
    },

    /** A call that was on `worker` when it died went back to the queue. */
    requeued(worker: number): void {
      const crash = open.get(worker)
      if (!crash) return
      crash.requeued++
      crash.row.cells[2]!.textContent = describeCrash(crash)
    },

    /** A call on `worker` was answered: that worker is healthy, its next crash starts over. */
    answered(worker: number): void {
      streaks.delete(worker)
    },

    /**
     * A worker was spawned. `byRestart`: by `startWorkers()`, which cuts any backoff short (and,
     * after the task failed, starts the crash counts over).
     */
    spawned(worker: number, ts: number, byRestart: boolean): void {
      const crash = open.get(worker)
      open.delete(worker)
      if (byRestart) {
        const after = crash ? `, ${ms(ts - crash.ts)} after its crash` : ''
        add('restart', ts, worker, `started by Restart task (startWorkers)${after}: no backoff`)
        if (crash) crash.row.cells[3]!.textContent = '–'
        return
      }
      if (!crash) return
      const delay = backoffDelay(streaks.get(worker) ?? 1)
      crash.row.cells[3]!.textContent = ''
      const row = add(
        'backoff',
        ts,
        worker,
        'restarted after its backoff',
        ms(delay),
        ms(ts - crash.ts),
      )
      row.dataset.backoffMs = String(delay)
    },

    /** The task failed: calls reject, and nothing restarts until Restart task. */
    taskFailed(ts: number, reason: string): void {
      // Crashes reported together may each find the task failed: it failed once.
      if (failure) return
      for (const crash of open.values()) crash.row.cells[3]!.textContent = 'none: task failed'
      const text = `task failed (${reason}): calls reject until Restart task`
      failure = { row: add('failed', ts, undefined, text), text, refused: 0 }
    },

    /** Restart task was pressed: after a failure, crash counts start over. */
    restarted(ts: number, afterFailure: boolean): void {
      if (afterFailure) streaks.clear()
      failure = undefined
      add('note', ts, undefined, 'Restart task: startWorkers()')
    },

    /** A call the crashes touched: it ran more than once, or it failed with its worker. */
    call(span: SpanEvent): void {
      const outcome = outcomeOfSpan(span)
      if (outcome === 'crash' && span.workerIndex === undefined) {
        // Refused by the failed task without reaching a worker: counted on the failure's row.
        if (failure) {
          failure.refused++
          failure.row.cells[2]!.textContent = `${failure.text} · ${failure.refused} refused so far`
        }
        return
      }
      if (span.attemptCount < 2 && outcome !== 'crash') return
      const tries = span.attemptCount > 1 ? ` (${span.attemptCount} tries)` : ''
      add(
        'call',
        span.ts + span.durationMs,
        span.workerIndex,
        `${span.method}() call ${span.callId}: ${outcomeLabel(outcome)}${tries}`,
      )
    },

    /** A line of context: the task was redefined, say. Crash counts start over with a new task. */
    note(ts: number, text: string): void {
      streaks.clear()
      open.clear()
      failure = undefined
      add('note', ts, undefined, text)
    },

    clear: reset,
  }
}

export type CrashLog = ReturnType<typeof createCrashLog>
