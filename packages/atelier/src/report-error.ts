/**
 * Reports an error thrown by app code we called back (an event or snapshot listener) without
 * letting it break the caller: `reportError` sends it to `window.onerror` and error trackers as
 * an uncaught error would be, but our dispatch loop carries on.
 */
export function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError
  if (typeof report === 'function') report(error)
  else console.error(error)
}
