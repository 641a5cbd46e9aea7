/**
 * How a call ended, in words: the one place the live view and the scenarios get an outcome's
 * name from, so a timeout is "timed out" on the left of the page and in the live view alike.
 * The words are Atelier's own (`OUTCOMES[outcome].label`); this module only adds the lookups a
 * UI needs: the outcome of a span, and the outcomes in the order a UI lists them.
 */

import { type CallOutcome, OUTCOMES, type SpanEvent } from 'atelier'

export { type CallOutcome, OUTCOMES, outcomeOfError } from 'atelier'

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
export function labelsOfStatus(status: SpanEvent['status']): string {
  return OUTCOME_ORDER.filter((o) => OUTCOMES[o].status === status)
    .map(outcomeLabel)
    .join(', ')
}
