/**
 * The work every contender's worker does, shared so that only the messaging differs between
 * them. Each worker file wraps these in its library's protocol.
 */

/** The cheapest possible task: what a call costs is then all runtime and messaging. */
export function echo(value: number): number {
  return value
}

/** Keeps the worker's thread busy for `ms` (a busy loop on `performance.now()`), returns `ms`. */
export function spin(ms: number): number {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy
  }
  return ms
}

/** Touches the buffer (so it is really there) and hands it back. */
export function bounce(buffer: ArrayBuffer): ArrayBuffer {
  if (buffer.byteLength > 0) new Uint8Array(buffer)[0] = 1
  return buffer
}

let held = 0

/**
 * Holds a payload until the worker's next macrotask (so a worker sent several payloads at once
 * holds them together), and returns how many this worker held at that moment, itself included.
 * The buffer is dropped when the handler returns; only a number goes back.
 */
export async function hold(buffer: ArrayBuffer): Promise<number> {
  held++
  const bytes = new Uint8Array(buffer)
  bytes[bytes.length - 1] = 1
  await new Promise((resolve) => setTimeout(resolve, 0))
  const now = held
  held--
  return now
}
