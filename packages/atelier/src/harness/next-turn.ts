/**
 * The next turn of the worker's event loop: where a batch of chunks or answers that could not all
 * be sent in this one goes at the latest, and where a generator that never awaits lets messages in.
 */

/**
 * Runs `fn` on a later turn of the event loop, after the messages already waiting (a credit, a
 * cancel): `setImmediate` where there is one, else a `MessageChannel`, and a timer only as the
 * last resort, since nested timers are clamped to 4 ms.
 */
export const nextTurn: (fn: () => void) => void = (() => {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate
  if (typeof immediate === 'function') return (fn) => void immediate(fn)
  if (typeof MessageChannel !== 'function') return (fn) => void setTimeout(fn, 0)
  let channel: MessageChannel | undefined
  const queue: Array<() => void> = []
  return (fn) => {
    if (channel === undefined) {
      channel = new MessageChannel()
      channel.port1.onmessage = () => {
        const due = queue.splice(0)
        for (const run of due) run()
      }
    }
    queue.push(fn)
    if (queue.length === 1) channel.port2.postMessage(null)
  }
})()
