/**
 * The calls watching one caller `AbortSignal`, behind a single listener. Adding one listener per
 * call would make every add and remove scan the signal's listener list (the DOM checks for
 * duplicates), so a thousand calls sharing a signal would cost a million steps.
 */

import { signalPriority, type TaskPriority } from '../priority.js'

/** A call that a signal's abort cancels, and a `TaskSignal`'s priority change re-orders. */
export interface SignalWatcher {
  onSignalAborted(reason: unknown): void
  onSignalPriority(priority: TaskPriority): void
}

/** A `TaskSignal` (Scheduler API) says its priority and when it changes. */
function isTaskSignal(signal: AbortSignal): boolean {
  try {
    return typeof (signal as { priority?: unknown }).priority === 'string'
  } catch {
    return false
  }
}

class SignalGroup implements EventListenerObject {
  readonly watchers = new Set<SignalWatcher>()
  constructor(
    readonly signal: AbortSignal,
    readonly prioritized: boolean,
  ) {}

  handleEvent(event: Event): void {
    if (event.type === 'prioritychange') {
      // The app's object: a priority that throws or is not one changes nothing.
      const priority = signalPriority(this.signal)
      if (priority === undefined) return
      for (const watcher of [...this.watchers]) watcher.onSignalPriority(priority)
      return
    }
    groups.delete(this.signal)
    this.unlisten()
    const watchers = [...this.watchers]
    this.watchers.clear()
    const reason: unknown = this.signal.reason
    for (const watcher of watchers) watcher.onSignalAborted(reason)
  }

  listen(): void {
    this.signal.addEventListener('abort', this)
    if (this.prioritized) this.signal.addEventListener('prioritychange', this)
  }

  unlisten(): void {
    this.signal.removeEventListener('abort', this)
    if (this.prioritized) this.signal.removeEventListener('prioritychange', this)
  }
}

const groups = new WeakMap<AbortSignal, SignalGroup>()

/** Calls `watcher.onSignalAborted(reason)` when `signal` aborts, until {@link unwatchSignal}. */
export function watchSignal(signal: AbortSignal, watcher: SignalWatcher): void {
  let group = groups.get(signal)
  if (group === undefined) {
    group = new SignalGroup(signal, isTaskSignal(signal))
    groups.set(signal, group)
    group.listen()
  }
  group.watchers.add(watcher)
}

export function unwatchSignal(signal: AbortSignal, watcher: SignalWatcher): void {
  const group = groups.get(signal)
  if (group === undefined || !group.watchers.delete(watcher) || group.watchers.size > 0) return
  groups.delete(signal)
  group.unlisten()
}
