/**
 * Calls sharing one AbortSignal (`signal-watch.ts`): one listener on the signal however many
 * calls watch it, O(1) to add and remove a call, and every watcher hears the abort once, even
 * when watchers come and go while it is delivered.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type SignalWatcher, unwatchSignal, watchSignal } from '../../src/engine/signal-watch.js'

afterEach(() => {
  vi.restoreAllMocks()
})

/** Counts the 'abort' listeners added to and removed from `signal`. */
function spyOn(signal: AbortSignal) {
  const counts = { added: 0, removed: 0 }
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    if (args[0] === 'abort') counts.added++
    return add(...args)
  }) as typeof signal.addEventListener
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    if (args[0] === 'abort') counts.removed++
    return remove(...args)
  }) as typeof signal.removeEventListener
  return counts
}

function watcher(log: unknown[] = []): SignalWatcher & { heard: unknown[] } {
  const heard: unknown[] = []
  return {
    heard,
    onSignalPriority() {},
    onSignalAborted(reason) {
      heard.push(reason)
      log.push(reason)
    },
  }
}

describe('watchSignal', () => {
  it('20,000 watchers share one listener, and every one hears the abort once, with its reason', () => {
    const controller = new AbortController()
    const counts = spyOn(controller.signal)
    const watchers = Array.from({ length: 20_000 }, () => watcher())
    for (const w of watchers) watchSignal(controller.signal, w)
    expect(counts).toEqual({ added: 1, removed: 0 })
    const reason = Object.create(null)
    controller.abort(reason)
    expect(watchers.every((w) => w.heard.length === 1 && w.heard[0] === reason)).toBe(true)
    expect(counts).toEqual({ added: 1, removed: 1 })
    // Unwatching after the abort is harmless.
    for (const w of watchers) unwatchSignal(controller.signal, w)
    expect(counts).toEqual({ added: 1, removed: 1 })
  })

  it('the listener goes with the last watcher, and comes back with the next', () => {
    const controller = new AbortController()
    const counts = spyOn(controller.signal)
    const [a, b] = [watcher(), watcher()]
    watchSignal(controller.signal, a)
    watchSignal(controller.signal, b)
    unwatchSignal(controller.signal, a)
    expect(counts).toEqual({ added: 1, removed: 0 })
    unwatchSignal(controller.signal, b)
    expect(counts).toEqual({ added: 1, removed: 1 })
    watchSignal(controller.signal, a)
    expect(counts).toEqual({ added: 2, removed: 1 })
    controller.abort('late')
    expect([a.heard, b.heard]).toEqual([['late'], []])
  })

  it('unwatching a watcher that never watched, or twice, changes nothing', () => {
    const controller = new AbortController()
    const counts = spyOn(controller.signal)
    const [a, stranger] = [watcher(), watcher()]
    unwatchSignal(controller.signal, stranger)
    watchSignal(controller.signal, a)
    unwatchSignal(controller.signal, stranger)
    unwatchSignal(controller.signal, stranger)
    expect(counts).toEqual({ added: 1, removed: 0 })
    controller.abort('x')
    expect(a.heard).toEqual(['x'])
    expect(stranger.heard).toEqual([])
  })

  it('watchers that unwatch others or watch again while the abort is delivered: each hears it once', () => {
    const controller = new AbortController()
    const log: unknown[] = []
    const others = Array.from({ length: 3 }, () => watcher(log))
    const meddler: SignalWatcher = {
      onSignalPriority() {},
      onSignalAborted(reason) {
        log.push(`meddler:${String(reason)}`)
        for (const other of others) unwatchSignal(controller.signal, other)
        watchSignal(controller.signal, others[0]!)
      },
    }
    watchSignal(controller.signal, meddler)
    for (const other of others) watchSignal(controller.signal, other)
    controller.abort('now')
    expect(log).toEqual(['meddler:now', 'now', 'now', 'now'])
    expect(others.map((o) => o.heard.length)).toEqual([1, 1, 1])
  })

  it('signals are watched apart: aborting one leaves the other watched', () => {
    const [first, second] = [new AbortController(), new AbortController()]
    const [a, b] = [watcher(), watcher()]
    watchSignal(first.signal, a)
    watchSignal(second.signal, b)
    first.abort(1)
    expect([a.heard, b.heard]).toEqual([[1], []])
    second.abort(2)
    expect([a.heard, b.heard]).toEqual([[1], [2]])
  })
})
