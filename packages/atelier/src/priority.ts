/** Call priorities, named as the Prioritized Task Scheduling API names them. */

/**
 * A call's priority, in the words of the Prioritized Task Scheduling API (`scheduler.postTask`,
 * `TaskController`). Queued calls of a higher priority are dispatched first; running calls are
 * never preempted.
 */
export type TaskPriority = 'user-blocking' | 'user-visible' | 'background'

/** The priorities, highest first: a priority's index is its level. */
export const PRIORITIES: readonly TaskPriority[] = ['user-blocking', 'user-visible', 'background']

/** The default of `priorityAgingMs`: a background call outranks new user-blocking ones within 1 s. */
export const DEFAULT_PRIORITY_AGING_MS = 500

/** A priority's level: 0 `user-blocking`, 1 `user-visible`, 2 `background`. */
export function priorityLevel(priority: TaskPriority): 0 | 1 | 2 {
  return PRIORITIES.indexOf(priority) as 0 | 1 | 2
}

/**
 * The priority of a caller's `TaskSignal`, or undefined for a plain signal. Never throws, and
 * never returns anything but a priority: the signal is the app's object, and a getter of its
 * own may throw or answer nonsense, which makes it a plain signal.
 */
export function signalPriority(signal: AbortSignal | undefined): TaskPriority | undefined {
  if (signal === undefined) return undefined
  try {
    const priority = (signal as { priority?: unknown }).priority
    return PRIORITIES.includes(priority as TaskPriority) ? (priority as TaskPriority) : undefined
  } catch {
    return undefined
  }
}
