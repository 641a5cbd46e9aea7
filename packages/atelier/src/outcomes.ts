/**
 * How a call ended: one vocabulary, used by the executor's `settled` fact, spans, traces,
 * metrics, snapshots and any UI that names outcomes. Everything that reports an outcome reads
 * this table rather than keeping its own mapping, so a timeout cannot be "canceled" in one place
 * and "error" in another.
 */

import { METRICS, type MetricName } from './metrics.js'

/**
 * - `ok`: the handler returned.
 * - `exception`: the handler threw, or the call could not be sent or answered.
 * - `abort`: cancelled by the caller (its key or its signal).
 * - `timeout`: outlived `timeoutMs`.
 * - `queue`: refused or evicted by the queue policy.
 * - `crash`: its worker died (or the task had failed).
 * - `disposed`: the task was disposed before the call settled.
 */
export type CallOutcome = 'ok' | 'exception' | 'abort' | 'timeout' | 'queue' | 'crash' | 'disposed'

/**
 * A span's or trace's status. OpenTelemetry has only ok and error; `canceled` marks the outcomes
 * somebody asked for (a cancel, a dispose), which are neither a success nor a fault.
 */
export type SpanStatus = 'ok' | 'error' | 'canceled'
/** Which outcome a span or trace that did not end `ok` had. */
export type SpanErrorKind = 'abort' | 'timeout' | 'queue' | 'crash' | 'exception' | 'disposed'

export interface OutcomeInfo {
  status: SpanStatus
  /** Undefined only for `ok`. */
  errorKind: SpanErrorKind | undefined
  /** The counter a settled call of this outcome adds one to. */
  metric: MetricName
  /** The word a UI shows for it. */
  label: string
}

const table: Record<CallOutcome, OutcomeInfo> = {
  ok: {
    status: 'ok',
    errorKind: undefined,
    metric: METRICS.successTotal,
    label: 'ok',
  },
  exception: {
    status: 'error',
    errorKind: 'exception',
    metric: METRICS.failureTotal,
    label: 'failed',
  },
  abort: {
    status: 'canceled',
    errorKind: 'abort',
    metric: METRICS.canceledTotal,
    label: 'cancelled',
  },
  timeout: {
    status: 'error',
    errorKind: 'timeout',
    metric: METRICS.timeoutTotal,
    label: 'timed out',
  },
  queue: {
    status: 'error',
    errorKind: 'queue',
    metric: METRICS.rejectedTotal,
    label: 'dropped',
  },
  crash: {
    status: 'error',
    errorKind: 'crash',
    metric: METRICS.failureTotal,
    label: 'crashed',
  },
  disposed: {
    status: 'canceled',
    errorKind: 'disposed',
    metric: METRICS.canceledTotal,
    label: 'disposed',
  },
}
for (const info of Object.values(table)) Object.freeze(info)

/**
 * Every outcome's status, error kind, counter and label. The rule behind the statuses: what the
 * caller (or the app) asked for is `canceled` (an abort, a dispose); whatever else went wrong is
 * `error`, a timeout included, since nobody asked for it.
 */
export const OUTCOMES: Readonly<Record<CallOutcome, Readonly<OutcomeInfo>>> = Object.freeze(table)

/**
 * The outcome an error stands for, by its `name` (it may come from another realm or a worker, so
 * `instanceof` would miss it). Anything unrecognised, or unreadable, is an `exception`.
 */
export function outcomeOfError(error: unknown): CallOutcome {
  let name: unknown
  try {
    // A revoked Proxy or a throwing `name` getter must not turn reporting into a second failure.
    name = (error as { name?: unknown } | null | undefined)?.name
  } catch {
    return 'exception'
  }
  switch (name) {
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
