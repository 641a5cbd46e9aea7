/**
 * How a call ended, in words: the one place the live view and the scenarios get an outcome's
 * name from, so a timeout is "timed out" on the left of the page and in the live view alike.
 * The words are Atelier's own (`OUTCOMES[outcome].label`); this module only adds the lookups a
 * UI needs: the outcome of a span, and the outcomes in the order a UI lists them.
 */

import type { SpanEvent } from 'atelier'

// Until `atelier` exports its outcome table, a copy of its shape and words lives here. Switching
// to the library's table is this block becoming `export { OUTCOMES, type CallOutcome } from 'atelier'`.
export type CallOutcome = 'ok' | 'exception' | 'abort' | 'timeout' | 'queue' | 'crash' | 'disposed'
type Status = SpanEvent['status']
type ErrorKind = NonNullable<SpanEvent['errorKind']> | 'disposed'
interface OutcomeInfo {
  readonly status: Status
  readonly errorKind: ErrorKind | undefined
  readonly label: string
}
export const OUTCOMES: Readonly<Record<CallOutcome, OutcomeInfo>> = {
  ok: { status: 'ok', errorKind: undefined, label: 'ok' },
  exception: { status: 'error', errorKind: 'exception', label: 'failed' },
  abort: { status: 'canceled', errorKind: 'abort', label: 'cancelled' },
  timeout: { status: 'error', errorKind: 'timeout', label: 'timed out' },
  queue: { status: 'error', errorKind: 'queue', label: 'dropped' },
  crash: { status: 'error', errorKind: 'crash', label: 'crashed' },
  disposed: { status: 'canceled', errorKind: 'disposed', label: 'disposed' },
}

/** The outcome a rejected call's error stands for, by the error's class name. */
export function outcomeOfError(error: unknown): CallOutcome {
  switch ((error as { name?: unknown } | null | undefined)?.name) {
    case 'AbortError':
      return 'abort'
    case 'TimeoutError':
      return 'timeout'
    case 'QueueDropError':
      return 'queue'
    case 'WorkerCrashedError':
      return 'crash'
    case 'TaskDisposedError':
      return 'disposed'
    default:
      return 'exception'
  }
}

/** Every outcome, in the order counters and legends list them: success first, then failures. */
export const OUTCOME_ORDER: readonly CallOutcome[] = [
  'ok',
  'exception',
  'abort',
  'timeout',
  'queue',
  'crash',
  'disposed',
]

/** The UI's word for an outcome. */
export function outcomeLabel(outcome: CallOutcome): string {
  return OUTCOMES[outcome].label
}

/** The outcome a span records: its error kind names it; no error kind is a success. */
export function outcomeOfSpan(span: Pick<SpanEvent, 'status' | 'errorKind'>): CallOutcome {
  if (span.errorKind === undefined) return span.status === 'ok' ? 'ok' : 'exception'
  for (const outcome of OUTCOME_ORDER) {
    if (OUTCOMES[outcome].errorKind === span.errorKind) return outcome
  }
  return 'exception'
}

/** The outcomes drawn in one lane colour (a span status), by their words: "cancelled, disposed". */
export function labelsOfStatus(status: Status): string {
  return OUTCOME_ORDER.filter((o) => OUTCOMES[o].status === status)
    .map(outcomeLabel)
    .join(', ')
}
