/**
 * The calls watching one caller `AbortSignal`, behind a single listener. Adding one listener per
 * call would make every add and remove scan the signal's listener list (the DOM checks for
 * duplicates), so a thousand calls sharing a signal would cost a million steps.
 */

/** A call that a signal's abort cancels. */
export interface SignalWatcher {
  onSignalAborted(reason: unknown): void
}

class SignalGroup implements EventListenerObject {
  readonly watchers = new Set<SignalWatcher>()
  constructor(readonly signal: AbortSignal) {}

  handleEvent(): void {
    groups.delete(this.signal)
    this.signal.removeEventListener('abort', this)
    const watchers = [...this.watchers]
    this.watchers.clear()
    const reason: unknown = this.signal.reason
    for (const watcher of watchers) watcher.onSignalAborted(reason)
  }
}

const groups = new WeakMap<AbortSignal, SignalGroup>()

/** Calls `watcher.onSignalAborted(reason)` when `signal` aborts, until {@link unwatchSignal}. */
export function watchSignal(signal: AbortSignal, watcher: SignalWatcher): void {
  let group = groups.get(signal)
  if (group === undefined) {
    group = new SignalGroup(signal)
    groups.set(signal, group)
    signal.addEventListener('abort', group)
  }
  group.watchers.add(watcher)
}

export function unwatchSignal(signal: AbortSignal, watcher: SignalWatcher): void {
  const group = groups.get(signal)
  if (group === undefined || !group.watchers.delete(watcher) || group.watchers.size > 0) return
  groups.delete(signal)
  signal.removeEventListener('abort', group)
}
