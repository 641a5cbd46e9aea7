/**
 * How a call ended: one vocabulary, used by the executor's `settled` fact, spans, traces,
 * metrics, snapshots and any UI that names outcomes. Everything that reports an outcome reads
 * this table rather than keeping its own mapping, so a timeout cannot be "canceled" in one place
 * and "error" in another.
 */

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
