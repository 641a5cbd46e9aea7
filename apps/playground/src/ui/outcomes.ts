/**
 * How a call ended, in words: Atelier's own (`OUTCOMES[outcome].label`), which the inspector
 * beside each scenario shows too, so a timeout is "timed out" on both sides of the page.
 */

import { type CallOutcome, OUTCOMES, type SpanEvent } from 'atelier'

export { type CallOutcome, outcomeOfError } from 'atelier'

export function outcomeLabel(outcome: CallOutcome): string {
  return OUTCOMES[outcome].label
}

/** The outcome a span records: its error kind names it; no error kind is a success. */
export function outcomeOfSpan(span: Pick<SpanEvent, 'status' | 'errorKind'>): CallOutcome {
  if (span.errorKind === undefined) return span.status === 'ok' ? 'ok' : 'exception'
  for (const [outcome, info] of Object.entries(OUTCOMES)) {
    if (info.errorKind === span.errorKind) return outcome as CallOutcome
  }
  return 'exception'
}
