/**
 * poolifier-web-worker (0.5.15) tells the browser apart from Deno and Bun by
 * `globalThis.window`, which a dedicated worker does not have: importing it in a Web Worker
 * throws "Unsupported JavaScript runtime environment". Giving the worker a `window` (its own
 * global scope) before the import lets it load. Imported first, for its side effect only.
 */
const scope = globalThis as { window?: unknown }
scope.window ??= globalThis
