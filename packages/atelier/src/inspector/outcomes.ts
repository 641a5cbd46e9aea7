/**
 * How a call ended, in the words of Atelier's own outcome table (`OUTCOMES[outcome].label`), so
 * the inspector names an outcome as every other view of a run does. Only the lookups a UI needs
 * are added: a span's outcome, and the outcomes in the order a UI lists them.
 */

import type { SpanEvent } from '../events.js'
import { type CallOutcome, OUTCOMES } from '../outcomes.js'

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
export function labelsOfStatus(status: SpanEvent['status']): string {
  return OUTCOME_ORDER.filter((o) => OUTCOMES[o].status === status)
    .map(outcomeLabel)
    .join(', ')
}
