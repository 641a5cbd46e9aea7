/**
 * What a crash means, decided in one place and without side effects: restart the worker after a
 * delay or fail the whole task, and whether an interrupted call runs again. The executor carries
 * the verdict out; these rules are unit-tested on their own, like the queue and the balancer.
 */

import { WorkerCrashedError } from '../errors.js'
import type { CrashPolicy } from '../options.js'
import { backoffDelay } from './backoff.js'

export interface CrashRules {
  crashPolicy: CrashPolicy
  crashMaxRetries: number
}

export type CrashVerdict =
  /** Restart the crashed worker after `delayMs`; the task carries on. */
  | { kind: 'restart'; delayMs: number }
  /** Fail the task: every call fails until `startWorkers()`. `reason` says why, for the error. */
  | { kind: 'fail'; reason: string | undefined }

/**
 * @param taskStreak crashes since any worker of the task last answered a call, this one included
 * @param slotStreak the same, counted for the crashed worker's slot alone (drives the backoff)
 */
export function judgeCrash(
  rules: CrashRules,
  taskStreak: number,
  slotStreak: number,
): CrashVerdict {
  if (rules.crashPolicy === 'fail-task') return { kind: 'fail', reason: undefined }
  if (taskStreak > rules.crashMaxRetries) {
    return {
      kind: 'fail',
      reason: `its workers crashed ${taskStreak} times in a row (crashMaxRetries is ${rules.crashMaxRetries})`,
    }
  }
  return { kind: 'restart', delayMs: backoffDelay(slotStreak) }
}

/**
 * Whether a call whose worker crashed under it runs again. Only under
 * `restart-requeue-in-flight`, at most `crashMaxRetries` attempts after the first, and never when
 * it is `spent`: its arguments were transferred (they went down with the worker, there is
 * nothing to replay) or it streamed chunks (a replay would send them twice).
 */
export function mayRequeue(rules: CrashRules, attempts: number, spent: boolean): boolean {
  return (
    rules.crashPolicy === 'restart-requeue-in-flight' && attempts <= rules.crashMaxRetries && !spent
  )
}

// ---- what the verdicts say -----------------------------------------------------------------

/** The error every call gets once the task failed. */
export function taskFailure(
  taskId: string,
  workerIndex: number,
  cause: Error,
  reason: string | undefined,
): WorkerCrashedError {
  const message = reason === undefined ? undefined : `Task "${taskId}" failed: ${reason}`
  return new WorkerCrashedError(taskId, workerIndex, { cause, message })
}

/** What `startWorkers()` rejects with when a worker fails before all are ready. */
export function startFailure(
  taskId: string,
  workerIndex: number,
  cause: Error,
): WorkerCrashedError {
  return new WorkerCrashedError(taskId, workerIndex, {
    cause,
    message: `Worker ${workerIndex} of task "${taskId}" failed before startWorkers() saw every worker ready: ${cause.message}`,
  })
}

/** Why a worker was terminated when a cancelled call outlived `cancelGraceMs`. */
export function graceKill(callId: number, method: string, graceMs: number | undefined): Error {
  return new Error(
    `Call ${callId} ("${method}") kept running ${graceMs} ms after it was cancelled; its worker was terminated`,
  )
}
