/**
 * Simulated CPU work for the scenarios' workers. Durations are wall-clock, so a "60 ms task"
 * takes 60 ms even on a machine with fewer cores than workers: timelines stay comparable.
 */

import type { TaskContext } from 'atelier/worker'

/** Keeps the thread busy for `ms`, like a tight compute loop would. */
export function spin(ms: number): void {
  const end = performance.now() + ms
  let sink = 0
  while (performance.now() < end) sink++
  if (sink < 0) throw new Error('unreachable: keeps the loop from being optimised away')
}

const channel = new MessageChannel()
const resumers: Array<() => void> = []
channel.port1.onmessage = () => resumers.shift()?.()

/**
 * Lets the worker's event loop run (and receive a cancel message). A message rather than
 * `setTimeout(0)`, which browsers clamp to 4 ms once nested.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    resumers.push(resolve)
    channel.port2.postMessage(null)
  })
}

/**
 * `ms` of work in slices, yielding between them and stopping as soon as the call is cancelled:
 * what a cooperative handler looks like. Calls on the same worker interleave slice by slice.
 */
export async function cooperativeWork(ms: number, ctx: TaskContext, sliceMs = 4): Promise<void> {
  let left = ms
  while (left > 0) {
    ctx.throwIfAborted()
    const slice = Math.min(sliceMs, left)
    const started = performance.now()
    spin(slice)
    await yieldToEventLoop()
    left -= performance.now() - started
  }
  ctx.throwIfAborted()
}
