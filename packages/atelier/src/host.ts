/**
 * What Atelier asks of the runtime it runs on, outside the web platform: Node's built-in modules,
 * reached through `process.getBuiltinModule` (Node 20.16+, Bun, Deno) so that no import of
 * `node:*` appears anywhere and browser bundles stay free of them. Nothing runs at import time.
 */

type GetBuiltin = (name: string) => unknown

function builtin<T>(name: string): T | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process
    ?.getBuiltinModule
  if (typeof get !== 'function') return undefined
  try {
    return get(name) as T | undefined
  } catch {
    return undefined
  }
}

/** How many threads can run at once: the browser's count, else Node's, else 4. */
export function hardwareConcurrency(): number {
  const cores = globalThis.navigator?.hardwareConcurrency
  if (typeof cores === 'number' && cores > 0) return cores
  const os = builtin<{ availableParallelism?: () => number; cpus?: () => unknown[] }>('node:os')
  const counted = os?.availableParallelism?.() ?? os?.cpus?.().length
  return typeof counted === 'number' && counted > 0 ? counted : 4
}

/** In a Node worker thread, the port to its parent (`worker_threads.parentPort`); else undefined. */
export function nodeParentPort(): unknown {
  return builtin<{ parentPort?: unknown }>('node:worker_threads')?.parentPort ?? undefined
}
