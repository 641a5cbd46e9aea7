/**
 * The runtime matrix in Chromium: the one suite (`suite.ts`) in vitest's browser mode, with web
 * Workers that Vite serves from the fixture's source. Node, Deno and Bun run the same suite in
 * `runtimes.test.ts`.
 */
import { test } from 'vitest'
import { defineSuite } from './suite'

defineSuite({
  runtime: 'chromium',
  worker: 'web',
  test: (name, fn, knownBug) => (knownBug ? test.fails : test)(name, fn),
  makeWorker: () => new Worker(new URL('./fixture.worker.ts', import.meta.url), { type: 'module' }),
})
