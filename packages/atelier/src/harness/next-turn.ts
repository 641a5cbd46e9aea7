/**
 * The next turn of the worker's event loop: where a batch of chunks or answers that could not all
 * be sent in this one goes at the latest, and where a generator that never awaits lets messages in.
 */

type Schedule = (fn: () => void) => void

/** Chosen on first use, not at load: a browser builds `MessageChannel` on its first read. */
let schedule: Schedule | undefined

/**
 * Runs `fn` on a later turn of the event loop, after the messages already waiting (a credit, a
 * cancel): `setImmediate` where there is one, else a `MessageChannel`, and a timer only as the
 * last resort, since nested timers are clamped to 4 ms.
 */
export function nextTurn(fn: () => void): void {
  schedule ??= scheduler()
  schedule(fn)
}

function scheduler(): Schedule {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate
  if (typeof immediate === 'function') return (fn) => void immediate(fn)
  if (typeof MessageChannel !== 'function') return (fn) => void setTimeout(fn, 0)
  const channel = new MessageChannel()
  const queue: Array<() => void> = []
  channel.port1.onmessage = () => {
    const due = queue.splice(0)
    for (const run of due) run()
  }
  return (fn) => {
    queue.push(fn)
    if (queue.length === 1) channel.port2.postMessage(null)
  }
}
