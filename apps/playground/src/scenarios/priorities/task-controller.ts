/**
 * The Prioritized Task Scheduling API's `TaskController`, as far as this scenario uses it.
 * Chromium has it; TypeScript's DOM types do not yet, so its shape is declared here.
 */

import type { TaskPriority } from 'atelier'

/** An `AbortSignal` that also carries a priority (and fires `prioritychange`). */
export interface TaskSignalLike extends AbortSignal {
  readonly priority: TaskPriority
}

export interface TaskControllerLike extends AbortController {
  readonly signal: TaskSignalLike
  setPriority(priority: TaskPriority): void
}

type TaskControllerConstructor = new (init?: { priority?: TaskPriority }) => TaskControllerLike

/** The browser's `TaskController`, or undefined where it has none. */
export const TaskController = (globalThis as { TaskController?: TaskControllerConstructor })
  .TaskController
