/**
 * The floor's worker: answers a message with its data. launch.mjs pads the built file to the size
 * of Atelier's worker bundle (with that bundle's code, in a function never called), so the two
 * download and parse the same bytes.
 */

/** The worker's global scope, typed by hand: the pages compile against the DOM lib only. */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<number>) => void) | null
  postMessage(message: number): void
}

scope.onmessage = (event) => scope.postMessage(event.data)
